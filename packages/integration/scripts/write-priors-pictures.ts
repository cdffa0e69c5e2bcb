// Writes the pictures of docs/guides/priors.md (docs/guides/priors/): the coverage reports that
// `odet priors analyze --out` writes for the BCCD demo slice with the default model's priors, then with
// the priors `odet priors fit` finds for it, and each report's charts as separate SVG files. Run from
// the repository root with `npm run docs:priors` (after `npm run build`).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "@od/cli";

/** The demo slice, relative to the repository root. */
const DATA = "packages/cli/demo-data/bccd";
/** Where the pictures go, relative to the repository root. */
const OUT = "docs/guides/priors";
/** The fit's prior budget and seed (the guide quotes them). */
const FIT = { budget: 3000, seed: 0 } as const;

/** The charts of a coverage report, in the order `renderCoverageReport` places them, by file stem. */
const CHARTS = ["scatter", "iou-histogram", "recall-by-size", "recall-by-aspect", "recall-by-class"] as const;

const root = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const out = path.join(root, OUT);
mkdirSync(out, { recursive: true });

async function odet(args: readonly string[]): Promise<string> {
  let text = "";
  const code = await runCli(args, {
    stdout: { write: (s: string) => (text += s) },
    stderr: process.stderr,
    cwd: root,
  });
  if (code !== 0) throw new Error(`odet ${args.join(" ")} exited with ${code}`);
  return text.split(`${root}${path.sep}`).join("");
}

/** Splits a report into its inline SVG charts and writes them as `<prefix>-<chart>.svg` / `<prefix>-level-<k>.svg`. */
function writeCharts(report: string, prefix: string): void {
  const svgs = readFileSync(path.join(out, report), "utf8").match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  if (svgs.length <= CHARTS.length)
    throw new Error(
      `${report}: expected ${CHARTS.length} charts and the level grids, found ${svgs.length} SVGs`,
    );
  svgs.forEach((svg, i) => {
    const name = i < CHARTS.length ? CHARTS[i] : `level-${i - CHARTS.length}`;
    writeFileSync(path.join(out, `${prefix}-${name}.svg`), `${svg}\n`);
  });
}

const fitted = `${OUT}/fitted-priors.json`;
const commands: readonly (readonly string[])[] = [
  ["priors", "analyze", "--data", DATA, "--out", `${OUT}/default.html`],
  [
    "priors",
    "fit",
    "--data",
    DATA,
    "--budget",
    String(FIT.budget),
    "--seed",
    String(FIT.seed),
    "--out",
    fitted,
  ],
  ["priors", "analyze", "--data", DATA, "--config", fitted, "--out", `${OUT}/fitted.html`],
];
const outputs: string[] = [];
for (const c of commands) outputs.push(`$ odet ${c.join(" ")}\n${await odet(c)}`);
writeCharts("default.html", "default");
writeCharts("fitted.html", "fitted");
writeFileSync(path.join(out, "output.txt"), outputs.join("\n"));
console.log(`wrote ${OUT}/`);
