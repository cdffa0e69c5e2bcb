import type { Source } from "@od/image/kernels";
import { clipAndFilter, type FullFilter } from "../filter.js";
import { forwardInPlace, type GeometryRecord, recordTarget } from "../records.js";
import { type SampleParts, unsafeSample } from "../sample.js";
import type { DropReason, StepOutput } from "../transform.js";

/**
 * The shared tail of every geometric transform: map the boxes through `record` (float64), clip them to
 * the new image, filter them, and append the record.
 */
export function geometricStep(
  fn: string,
  parts: SampleParts<Source>,
  record: GeometryRecord,
  pixels: Source,
  filter: FullFilter,
  pre?: (i: number) => DropReason | undefined,
): StepOutput {
  const t = Float64Array.from(parts.boxes);
  forwardInPlace(fn, record, t);
  const f = clipAndFilter(t, parts.labels, recordTarget(record), filter, pre);
  return {
    sample: unsafeSample(pixels, f.boxes, f.labels, [...parts.records, record]),
    kept: f.kept,
    dropped: f.dropped,
  };
}

/** A step that changes nothing (e.g. SSD crop's "none" choice). */
export function unchanged(parts: SampleParts<Source>): StepOutput {
  const n = parts.labels.length;
  const kept = new Int32Array(n);
  for (let i = 0; i < n; i++) kept[i] = i;
  return { sample: unsafeSample(parts.px, parts.boxes, parts.labels, parts.records), kept, dropped: [] };
}
