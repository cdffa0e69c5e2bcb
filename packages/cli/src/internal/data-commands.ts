import path from "node:path";
import type { InvalidBoxPolicy } from "@od/boxes";
import { computeStats, statsSvg } from "@od/data";
import { CliExit, type CliIo, EXIT } from "../io.js";
import { out, pct, printJson, resolvePath, textTable, toJson, writeOut } from "./common.js";
import { type Format, noteIssues, openDataset } from "./dataset.js";

/** Options of `odet data check`. */
export interface CheckOptions {
  readonly format?: Format;
  readonly split?: string;
  readonly policy: InvalidBoxPolicy;
  readonly json?: boolean;
}

function valueText(v: readonly number[] | string | number): string {
  return Array.isArray(v) ? `[${v.join(", ")}]` : typeof v === "string" ? JSON.stringify(v) : String(v);
}

/**
 * `odet data check`: loads with policy `drop` when `error` is asked (so every issue is listed, not only
 * the first), prints every issue and the summary. Exit 1 when there are issues under `error`.
 */
export async function dataCheck(io: CliIo, dir: string, o: CheckOptions): Promise<void> {
  const strict = o.policy === "error";
  const { dataset, format, source } = await openDataset(io, dir, {
    ...(o.format === undefined ? {} : { format: o.format }),
    ...(o.split === undefined ? {} : { split: o.split }),
    policy: strict ? "drop" : o.policy,
  });
  const r = dataset.report;
  const issues = r.issues.map((i) => ({ ...i, action: strict ? "rejected" : i.action }));
  const ok = !(strict && issues.length > 0);
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
    if (issues.length > 0) {
      out(io);
      out(
        io,
        textTable([
          ["file", "where", "value", "reason", "action"],
          ...issues.map((i) => [i.file, i.where, valueText(i.value), i.reason, i.action]),
        ]),
      );
      out(io);
    }
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
      ["class", "boxes", "share", "images", "difficult", "crowd", "median size px"],
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
    `box size sqrt(w*h) px: ${h.counts
      .map((n, i) =>
        n === 0 ? "" : `${h.edges[i]}${i === h.counts.length - 1 ? "+" : `–${h.edges[i + 1]}`}: ${n}`,
      )
      .filter((s) => s !== "")
      .join(", ")}`,
  );
  if (written.length > 0) out(io, `wrote ${written.length} files to ${resolvePath(io, o.out as string)}`);
}
