/**
 * `@od/priors`: SSD prior (default) boxes, matching and target encoding, coverage analysis against a
 * dataset's ground truth, SVG coverage reports and prior fitting.
 * @packageDocumentation
 */
export {
  type ExplicitPriorConfig,
  type ExplicitShapeSpec,
  type FeatureMapSize,
  MAX_PRIORS,
  type PriorConfig,
  type PriorGrid,
  type PriorLayout,
  type PriorLevel,
  type PriorShape,
  priorCount,
  priorLayout,
  type SsdPriorConfig,
  type SsdShapeSpec,
  type Step,
} from "./config.js";
export {
  analyzeCoverage,
  type BucketStat,
  type CoverageImage,
  type CoverageIssue,
  type CoverageOptions,
  type CoverageReport,
  INPUT_PX_UNITS,
  type Orphan,
} from "./coverage.js";
export { PriorsError, type PriorsErrorCode } from "./errors.js";
export { type FitBudget, type FitOptions, type FitResult, fitPriors } from "./fit.js";
export {
  configFromFeatureMaps,
  type FeatureMapShape,
  type FromFeatureMapsOptions,
} from "./from-feature-maps.js";
export { generatePriors } from "./generate.js";
export {
  BACKGROUND,
  type ForcedMatching,
  IGNORE,
  type MatchOptions,
  type MatchResult,
  matchPriors,
  matchPriorsTwoThreshold,
  type TwoThresholdOptions,
} from "./match.js";
export { linearScales, SSD300_VGG16, SSDLITE320_MOBILENET_V3 } from "./presets.js";
export {
  type CoverageReportOptions,
  iouHistogramSvg,
  type LevelGridOptions,
  levelGridSvg,
  recallBarsSvg,
  renderCoverageReport,
  sizeScatterSvg,
} from "./report.js";
export {
  type BatchTargets,
  type EncodeTargetsOptions,
  encodeTargets,
  encodeTargetsBatch,
  type TargetMatcher,
  type Targets,
  type TargetsInput,
} from "./targets.js";
