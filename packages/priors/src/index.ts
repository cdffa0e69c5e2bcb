/**
 * `@od/priors`: SSD prior (default) boxes, matching and target encoding, coverage analysis against a
 * dataset's ground truth, SVG coverage reports and prior fitting.
 * @packageDocumentation
 */
export * from "./config.js";
export * from "./coverage.js";
export * from "./errors.js";
export * from "./fit.js";
export * from "./from-feature-maps.js";
export * from "./generate.js";
export * from "./match.js";
export * from "./presets.js";
export * from "./report.js";
export * from "./targets.js";
