/**
 * Coverage of the SSD300 preset vs fitted priors on BCCD (blood cells, 640×480 images letterboxed to 300×300).
 * Fits on trainval, reports coverage on trainval and test, and writes HTML reports.
 * Run from packages/priors: `npx tsx examples/bccd-coverage.ts [outDir]`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  analyzeCoverage,
  type CoverageReport,
  fitPriors,
  generatePriors,
  type PriorConfig,
  priorCount,
  renderCoverageReport,
  SSD300_VGG16,
} from "../src/index.js";
import { BCCD_CLASSES, bccdRoot, loadBccd } from "./bccd.js";

const root = bccdRoot();
if (root === undefined) {
  console.log("BCCD not found at ../shared/datasets/bccd; nothing to do");
  process.exit(0);
}
const outDir = process.argv[2] ?? "coverage-bccd";
mkdirSync(outDir, { recursive: true });
const trainval = loadBccd(root, "trainval");
const test = loadBccd(root, "test");
const input = SSD300_VGG16.imageSize;
const classNames = Object.fromEntries(BCCD_CLASSES.map((c, i) => [i + 1, c]));
const cov = { invalid: "clip", classNames } as const;

function row(name: string, config: PriorConfig, r: CoverageReport, t: CoverageReport): void {
  const size = r.bySize.map((b) => (b.count === 0 ? "-" : `${(b.recall * 100).toFixed(1)}`)).join(" / ");
  const cls = r.byClass.map((b) => `${b.name} ${(b.recall * 100).toFixed(1)}`).join(", ");
  console.log(
    `| ${name} | ${priorCount(config)} | ${(r.recall * 100).toFixed(1)}% | ${r.meanBestIou.toFixed(3)} | ${(t.recall * 100).toFixed(1)}% | ${t.meanBestIou.toFixed(3)} | ${r.orphans.length} | ${cls} | ${size} |`,
  );
}

const preset = analyzeCoverage(trainval, generatePriors(SSD300_VGG16), input, cov);
const presetTest = analyzeCoverage(test, generatePriors(SSD300_VGG16), input, cov);
console.log(
  `trainval: ${trainval.length} images, ${preset.numGt} GT (${preset.issues.length} clipped or dropped); test: ${test.length} images, ${presetTest.numGt} GT`,
);
console.log(
  "| priors | count | recall@0.5 trainval | mean best IoU | recall@0.5 test | mean best IoU test | orphans (trainval) | recall by class | recall by size 0-16/16-32/32-64/64-128/128+ px |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
row("SSD300 preset", SSD300_VGG16, preset, presetTest);
writeFileSync(
  join(outDir, "ssd300-preset.html"),
  renderCoverageReport(preset, SSD300_VGG16, { title: "BCCD trainval: SSD300 preset" }),
);

const budgets = [
  ["fitted, same budget (≤ 8,732 priors)", { priors: 8732 }],
  ["fitted, 1 shape per level (1,940 priors)", { shapesPerLevel: [1, 1, 1, 1, 1, 1] }],
  ["fitted, ≤ 3,000 priors", { priors: 3000 }],
] as const;
for (const [name, budget] of budgets) {
  const t0 = performance.now();
  const fit = fitPriors(trainval, SSD300_VGG16, { budget, ...cov, seed: 1 });
  const ms = performance.now() - t0;
  const onTest = analyzeCoverage(test, generatePriors(fit.config), input, cov);
  row(`${name} [${(ms / 1000).toFixed(1)} s]`, fit.config, fit.after, onTest);
  const file = name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
  writeFileSync(
    join(outDir, `${file}.html`),
    renderCoverageReport(fit.after, fit.config, { title: `BCCD trainval: ${name}` }),
  );
  writeFileSync(join(outDir, `${file}.json`), JSON.stringify(fit.config, null, 2));
}
console.log(`reports written to ${outDir}/`);
