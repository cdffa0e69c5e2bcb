import type { ImageSize, InvalidBoxPolicy } from "@od/boxes";
import type { DetectionDataset } from "@od/data";
import {
  analyzeCoverage,
  type BucketStat,
  type CoverageImage,
  type CoverageReport,
  configFromFeatureMaps,
  fitPriors,
  generatePriors,
  INPUT_PX_UNITS,
  type PriorConfig,
  priorLayout,
  renderCoverageReport,
  SSD300_VGG16,
  SSDLITE320_MOBILENET_V3,
} from "@od/priors";
import { featureSize, PRIOR_FIT_DEFAULTS, SSD_DEFAULTS } from "@od/ssd";
import { CLI_NAME, type CliIo } from "../io.js";
import {
  bad,
  note,
  out,
  pct,
  printJson,
  readConfigFile,
  resolvePath,
  textTable,
  toJson,
  writeOut,
} from "./common.js";
import { type Format, noteIssues } from "./dataset.js";
import { type ChosenSplit, openSplit } from "./train-split.js";

/** Prior presets `--preset` accepts. `default` is what `odet train` builds by default. */
export const PRESETS = ["default", "ssd300", "ssdlite320"] as const;
/** One of {@link PRESETS}. */
export type Preset = (typeof PRESETS)[number];

/** Options shared by `priors analyze` and `priors fit`. */
export interface PriorSourceOptions {
  readonly data: string;
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly input?: ImageSize;
  readonly config?: string;
  readonly preset?: Preset;
  readonly out?: string;
  readonly json?: boolean;
}

/**
 * The priors `odet train` starts from by default at an input size: the default backbone's taps
 * (`SSD_DEFAULTS` of `@od/ssd`), their feature maps (`featureSize`), and the scales and ratios prior
 * fitting starts from (`PRIOR_FIT_DEFAULTS`).
 */
export function defaultPriorConfig(input: ImageSize): PriorConfig {
  return configFromFeatureMaps(
    SSD_DEFAULTS.backbone.taps.map(
      (s) => [featureSize(input.height, s), featureSize(input.width, s)] as const,
    ),
    input,
    {
      minScale: PRIOR_FIT_DEFAULTS.minScale,
      maxScale: PRIOR_FIT_DEFAULTS.maxScale,
      aspectRatios: [...PRIOR_FIT_DEFAULTS.aspectRatios],
    },
  );
}

function sizeText(s: ImageSize): string {
  return `${s.width}x${s.height}`;
}

/** Resolves `--config` / `--preset` / `--input` to a validated prior config and a description. */
async function priorConfigOf(
  io: CliIo,
  o: PriorSourceOptions,
): Promise<{ config: PriorConfig; what: string }> {
  if (o.config !== undefined && o.preset !== undefined) throw bad("pass --config or --preset, not both");
  let config: PriorConfig;
  let what: string;
  if (o.config !== undefined) {
    const raw = await readConfigFile(io, o.config, "prior config");
    const c = (raw as { config?: unknown } | null)?.config ?? raw;
    config = c as PriorConfig;
    what = o.config;
  } else if (o.preset === "ssd300" || o.preset === "ssdlite320") {
    config = o.preset === "ssd300" ? SSD300_VGG16 : SSDLITE320_MOBILENET_V3;
    what = `preset ${o.preset}`;
  } else {
    const input = o.input ?? SSD_DEFAULTS.inputSize;
    return {
      config: defaultPriorConfig(input),
      what: `default (${CLI_NAME} train's model: strides ${SSD_DEFAULTS.backbone.taps.join("/")}, scales ${PRIOR_FIT_DEFAULTS.minScale}–${PRIOR_FIT_DEFAULTS.maxScale}, ratios 1, ${PRIOR_FIT_DEFAULTS.aspectRatios.join(", ")})`,
    };
  }
  priorLayout(config); // validates; PriorsError INVALID_CONFIG names the field
  if (
    o.input !== undefined &&
    (o.input.width !== config.imageSize.width || o.input.height !== config.imageSize.height)
  )
    throw bad(
      `--input ${sizeText(o.input)} differs from the ${what} input ${sizeText(config.imageSize)}; drop --input, or use --preset default for another size`,
    );
  return { config, what };
}

function coverageImages(ds: DetectionDataset): CoverageImage[] {
  return ds.images.map((r) => ({ size: r.size, boxes: r.boxes, labels: r.labels, id: r.id }));
}

function classMap(ds: DetectionDataset): Record<number, string> {
  return Object.fromEntries(ds.classNames.map((n, i) => [i, n]));
}

function bucketRows(b: readonly BucketStat[], what: string): string[][] {
  return [
    [what, "GT", "covered", "recall", "mean best IoU"],
    ...b.map((s) => [
      s.name,
      String(s.count),
      String(s.covered),
      pct(s.recall),
      Number.isFinite(s.meanBestIou) ? s.meanBestIou.toFixed(3) : "–",
    ]),
  ];
}

/** The JSON summary of a coverage report (without the per-GT arrays). */
export function coverageSummary(r: CoverageReport, maxOrphans = 50) {
  return {
    threshold: r.threshold,
    inputSize: r.inputSize,
    sizeUnits: `${INPUT_PX_UNITS} (${sizeText(r.inputSize)})`,
    numImages: r.numImages,
    numGt: r.numGt,
    numPriors: r.numPriors,
    recall: r.recall,
    meanBestIou: r.meanBestIou,
    orphans: r.orphans.length,
    unmatchedPriors: r.unmatchedPriors.length,
    bySize: r.bySize,
    byAspect: r.byAspect,
    byClass: r.byClass,
    orphanList: r.orphans.slice(0, maxOrphans),
    issues: r.issues.length,
  };
}

/** `odet priors analyze`. */
export async function priorsAnalyze(io: CliIo, o: PriorSourceOptions): Promise<void> {
  const { config, what } = await priorConfigOf(io, o);
  const split = await openPriorImages(io, o);
  const { dataset } = split;
  const report = analyzeWith(dataset, config);
  let file: string | undefined;
  if (o.out !== undefined) {
    file = resolvePath(io, o.out);
    await writeOut(file, renderCoverageReport(report, config, { title: `Prior coverage: ${o.data}` }));
  }
  if (o.json) {
    printJson(io, {
      priors: what,
      split: splitJson(split),
      ...coverageSummary(report),
      ...(file === undefined ? {} : { report: file }),
    });
    return;
  }
  out(io, `priors: ${report.numPriors} at ${sizeText(report.inputSize)}, ${what}`);
  out(io, splitLine(split));
  out(io, `images: ${report.numImages}, GT boxes: ${report.numGt}`);
  out(
    io,
    `recall@${report.threshold}: ${pct(report.recall)}  mean best IoU: ${Number.isFinite(report.meanBestIou) ? report.meanBestIou.toFixed(3) : "–"}  orphans: ${report.orphans.length}  priors covering no GT: ${report.unmatchedPriors.length}`,
  );
  out(io);
  out(io, textTable(bucketRows(report.bySize, sizeHeader(report.inputSize))));
  out(io);
  out(io, textTable(bucketRows(report.byClass, "class")));
  if (file !== undefined) out(io, `\nwrote ${file}`);
}

/** The images of `--split` (default train's training images), with the loader's note. */
async function openPriorImages(io: CliIo, o: PriorSourceOptions): Promise<ChosenSplit> {
  const split = await openSplit(io, o.data, {
    ...(o.format === undefined ? {} : { format: o.format }),
    ...(o.split === undefined ? {} : { split: o.split }),
    policy: o.policy,
  });
  noteIssues(io, split.dataset);
  if (split.dataset.images.length === 0) throw bad(`--split ${split.name} of ${o.data} has no images`);
  return split;
}

function splitLine(s: ChosenSplit): string {
  return `split: ${s.name}, ${s.description}: ${s.dataset.images.length} images`;
}

function splitJson(s: ChosenSplit) {
  return { name: s.name, description: s.description, images: s.dataset.images.length };
}

/** Header of the size-bucket table: the sizes are px of the network input, not of the images. */
function sizeHeader(input: ImageSize): string {
  return `size √(w·h), ${INPUT_PX_UNITS} ${sizeText(input)}`;
}

function analyzeWith(ds: DetectionDataset, config: PriorConfig): CoverageReport {
  // the loader has applied the box policy already; "drop" here never fires on loaded data
  return analyzeCoverage(coverageImages(ds), generatePriors(config), config.imageSize, {
    classNames: classMap(ds),
    invalid: "drop",
  });
}

/** Options of `odet priors fit`. */
export interface FitCommandOptions extends PriorSourceOptions {
  readonly budget: number;
  readonly seed: number;
  readonly iterations?: number;
}

/** `odet priors fit`: fits shapes under a prior budget; writes the fitted config to `--out`. */
export async function priorsFit(io: CliIo, o: FitCommandOptions): Promise<void> {
  const { config: base, what } = await priorConfigOf(io, o);
  const split = await openPriorImages(io, o);
  const { dataset } = split;
  if (split.name === "test" || split.name === "all")
    note(
      io,
      `note: fitting priors on ${split.name === "test" ? "the test images" : "every image, test images included"} makes the test mAP look better than it is; fit on --split train (the default)`,
    );
  const fit = fitPriors(coverageImages(dataset), base, {
    budget: { priors: o.budget },
    seed: o.seed,
    invalid: "drop",
    classNames: classMap(dataset),
    ...(o.iterations === undefined ? {} : { iterations: o.iterations }),
  });
  let file: string | undefined;
  if (o.out !== undefined) {
    file = resolvePath(io, o.out);
    await writeOut(file, `${toJson(fit.config)}\n`);
  }
  if (o.json) {
    printJson(io, {
      base: what,
      split: splitJson(split),
      budget: o.budget,
      numPriors: fit.numPriors,
      config: fit.config,
      before: coverageSummary(fit.before),
      after: coverageSummary(fit.after),
      ...(file === undefined ? {} : { file }),
    });
    return;
  }
  const b = fit.before;
  const a = fit.after;
  const iou = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : "–");
  out(io, `base: ${what}; budget ${o.budget} priors`);
  out(io, splitLine(split));
  out(
    io,
    textTable([
      ["", "priors", `recall@${a.threshold}`, "mean best IoU", "orphans"],
      ["before", String(b.numPriors), pct(b.recall), iou(b.meanBestIou), String(b.orphans.length)],
      ["after", String(a.numPriors), pct(a.recall), iou(a.meanBestIou), String(a.orphans.length)],
    ]),
  );
  out(io);
  out(
    io,
    textTable([
      ["class", "GT", "recall before", "recall after"],
      ...a.byClass.map((c, i) => [
        c.name,
        String(c.count),
        pct(b.byClass[i]?.recall ?? Number.NaN),
        pct(c.recall),
      ]),
    ]),
  );
  out(io);
  out(
    io,
    `shapes per level: ${fit.config.shapes.map((l) => l.length).join(", ")} (${fit.config.featureMaps.map((m) => `${m.width}x${m.height}`).join(", ")} cells)`,
  );
  out(io, file === undefined ? "add --out priors.json to save the fitted config" : `wrote ${file}`);
}
