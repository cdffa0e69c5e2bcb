import path from "node:path";
import type { InvalidBoxPolicy } from "@od/boxes";
import {
  type ClassNameSimilarity,
  computeStats,
  type DetectionDataset,
  IMAGE_PX_UNITS,
  similarClassNames,
  statsSvg,
} from "@od/data";
import { CliExit, type CliIo, EXIT } from "../io.js";
import { bad, out, pct, printJson, resolvePath, textTable, toJson, writeOut } from "./common.js";
import { type Format, noteIssues, openDataset } from "./dataset.js";

/** Options of `odet data check`. */
export interface CheckOptions {
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  /** The expected class names (`--classes`): other names are `unknown-class` issues. */
  readonly classes?: readonly string[];
  /** Read image headers only (`--headers-only`); default: decode every image. */
  readonly headersOnly?: boolean;
  readonly json?: boolean;
}

function valueText(v: readonly number[] | string | number): string {
  return Array.isArray(v) ? `[${v.join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : String(v);
}

const SIMILARITY_TEXT: Record<ClassNameSimilarity, string> = {
  case: "differ in case",
  unicode: "differ in Unicode form",
  spacing: "differ in spacing",
  "one-edit": "differ by one edit",
};

/** Near-duplicate class names of a dataset with the boxes each has. */
function similarNames(ds: DetectionDataset) {
  const boxes = new Array<number>(ds.classNames.length).fill(0);
  for (const r of ds.images) for (const l of r.labels) boxes[l] = (boxes[l] ?? 0) + 1;
  const count = (n: string) => boxes[ds.classNames.indexOf(n)] ?? 0;
  return similarClassNames(ds.classNames).map((p) => ({
    ...p,
    boxes: [count(p.names[0]), count(p.names[1])],
  }));
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "es"}`;

/**
 * `odet data check`: loads with policy `drop` when `error` is asked (so every issue is listed, not only
 * the first), decoding every image (unless `headersOnly`), prints every issue (file, where, value,
 * reason, action, detail), near-duplicate class names and the summary. Exit 1 when there are issues
 * or near-duplicate class names under `error`; exit 2 when no image is left under `drop` / `clip`.
 */
export async function dataCheck(io: CliIo, dir: string, o: CheckOptions): Promise<void> {
  const strict = o.policy === "error";
  const { dataset, format, source } = await openDataset(io, dir, {
    ...(o.format === undefined ? {} : { format: o.format }),
    ...(o.split === undefined ? {} : { split: o.split }),
    ...(o.classes === undefined ? {} : { classNames: o.classes }),
    policy: strict ? "drop" : o.policy,
    decodeImages: o.headersOnly !== true,
  });
  const r = dataset.report;
  const issues = r.issues.map((i) => ({ ...i, action: strict ? "rejected" : i.action }));
  const similar = similarNames(dataset);
  const ok = !(strict && (issues.length > 0 || similar.length > 0));
  if (o.json) {
    printJson(io, {
      source,
      format,
      split: o.split ?? null,
      policy: o.policy,
      ok,
      classNames: dataset.classNames,
      imagesRead: r.imagesRead,
      boxesRead: r.boxesRead,
      imagesKept: strict && !ok ? 0 : r.imagesKept,
      boxesKept: strict && !ok ? 0 : r.boxesKept,
      summary: r.summary,
      issues,
      similarClassNames: similar,
    });
  } else {
    out(io, `${source} (${format}${o.split === undefined ? "" : `, split ${o.split}`}, policy ${o.policy})`);
    out(io, `classes: ${dataset.classNames.join(", ") || "(none)"}`);
    out(
      io,
      ok
        ? `images: ${r.imagesRead} read, ${r.imagesKept} kept; boxes: ${r.boxesRead} read, ${r.boxesKept} kept`
        : `images: ${r.imagesRead} read; boxes: ${r.boxesRead} read`,
    );
    if (o.headersOnly === true) out(io, "images: headers read, not decoded (--headers-only)");
    if (issues.length > 0) {
      out(io);
      out(
        io,
        textTable([
          ["file", "where", "value", "reason", "action", "detail"],
          ...issues.map((i) => [i.file, i.where, valueText(i.value), i.reason, i.action, i.detail ?? ""]),
        ]),
      );
      out(io);
    }
    for (const p of similar)
      out(
        io,
        `similar class names: ${JSON.stringify(p.names[0])} (${plural(p.boxes[0] ?? 0, "box")}) and ${JSON.stringify(p.names[1])} (${plural(p.boxes[1] ?? 0, "box")}) ${SIMILARITY_TEXT[p.similarity]}`,
      );
    const summary = Object.entries(r.summary)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    out(io, issues.length === 0 ? "issues: none" : `issues: ${issues.length} (${summary})`);
    if (!ok)
      out(
        io,
        `policy error rejects this dataset; fix the files, or load with --policy drop (remove them) or clip (clip boxes that cross the border)`,
      );
  }
  if (!ok) throw new CliExit(EXIT.issues);
  if (r.imagesKept === 0)
    throw bad(`no image is left under policy ${o.policy} (${r.imagesRead} read, all dropped)`);
}

/** Options of `odet data stats`. */
export interface StatsOptions {
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly out?: string;
  readonly json?: boolean;
}

/** `odet data stats`: statistics JSON on stdout (`--json`) or a summary, plus JSON + SVG plots in `--out`. */
export async function dataStats(io: CliIo, dir: string, o: StatsOptions): Promise<void> {
  const { dataset } = await openDataset(io, dir, {
    ...(o.format === undefined ? {} : { format: o.format }),
    ...(o.split === undefined ? {} : { split: o.split }),
    policy: o.policy,
  });
  noteIssues(io, dataset);
  const stats = computeStats(dataset);
  const written: string[] = [];
  if (o.out !== undefined) {
    const outDir = resolvePath(io, o.out);
    const statsFile = path.join(outDir, "stats.json");
    await writeOut(statsFile, `${toJson(stats)}\n`);
    written.push(statsFile);
    for (const [name, svg] of Object.entries(statsSvg(stats))) {
      const f = path.join(outDir, `${name}.svg`);
      await writeOut(f, svg);
      written.push(f);
    }
  }
  if (o.json) {
    printJson(io, { ...stats, ...(o.out === undefined ? {} : { files: written }) });
    return;
  }
  out(io, `images: ${stats.images} (${stats.negatives} without boxes); boxes: ${stats.boxes}`);
  out(
    io,
    `image sizes: ${Object.entries(stats.imageSizes)
      .slice(0, 5)
      .map(([k, v]) => `${k} (${v})`)
      .join(", ")}${Object.keys(stats.imageSizes).length > 5 ? ", ..." : ""}`,
  );
  out(io);
  out(
    io,
    textTable([
      ["class", "boxes", "share", "images", "difficult", "crowd", `median size √(w·h), ${IMAGE_PX_UNITS}`],
      ...stats.classes.map((c) => [
        c.name,
        String(c.boxes),
        pct(stats.boxes > 0 ? c.boxes / stats.boxes : Number.NaN),
        String(c.images),
        String(c.difficult),
        String(c.crowd),
        c.medianSizePx.toFixed(1),
      ]),
    ]),
  );
  const h = stats.sizePx;
  out(io);
  out(
    io,
    `${h.label}: ${h.counts
      .map((n, i) =>
        n === 0 ? "" : `${h.edges[i]}${i === h.counts.length - 1 ? "+" : `–${h.edges[i + 1]}`}: ${n}`,
      )
      .filter((s) => s !== "")
      .join(", ")}`,
  );
  if (written.length > 0) out(io, `wrote ${written.length} files to ${resolvePath(io, o.out as string)}`);
}
