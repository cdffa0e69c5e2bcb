import { describeValue } from "@od/boxes";
import { COCO_MAX_DETS } from "../params.js";
import type { CocoOptions, Detections, GroundTruth, VocInterpolation, VocOptions } from "../types.js";
import type { CocoCoreOptions } from "./coco.js";
import { fail } from "./fail.js";
import { type ImageRecord, makeRecord } from "./record.js";

/** Validated VOC options. */
export interface VocCoreOptions {
  readonly interpolation: VocInterpolation;
  readonly iouThreshold: number;
}

/** Validates VOC options and fills the defaults. */
export function resolveVocOptions(fn: string, options: VocOptions): VocCoreOptions {
  const interpolation = options.interpolation ?? "allpoint";
  if (interpolation !== "allpoint" && interpolation !== "11point") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `interpolation must be "allpoint" or "11point"; got ${describeValue(interpolation)}`,
      {
        arg: "interpolation",
      },
    );
  }
  const iouThreshold = options.iouThreshold ?? 0.5;
  if (typeof iouThreshold !== "number" || !(iouThreshold >= 0 && iouThreshold < 1)) {
    fail("INVALID_ARGUMENT", fn, `iouThreshold must be in [0, 1); got ${describeValue(iouThreshold)}`, {
      arg: "iouThreshold",
    });
  }
  return { interpolation, iouThreshold };
}

/** Validates COCO options and fills the defaults. */
export function resolveCocoOptions(fn: string, options: CocoOptions): CocoCoreOptions {
  const maxDets = options.maxDets ?? COCO_MAX_DETS;
  if (
    !Array.isArray(maxDets) ||
    maxDets.length !== 3 ||
    maxDets.some((m, i) => !Number.isInteger(m) || m < 1 || (i > 0 && m < maxDets[i - 1]!))
  ) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `maxDets must be 3 ascending positive integers; got ${describeValue(maxDets)}`,
      {
        arg: "maxDets",
      },
    );
  }
  const difficult = options.difficult ?? "ignore";
  if (difficult !== "ignore" && difficult !== "count") {
    fail("INVALID_ARGUMENT", fn, `difficult must be "ignore" or "count"; got ${describeValue(difficult)}`, {
      arg: "difficult",
    });
  }
  return { maxDets, ignoreDifficult: difficult === "ignore" };
}

/** Validates and copies parallel per-image arrays into records. */
export function makeRecords(
  fn: string,
  gts: readonly GroundTruth[],
  dets: readonly Detections[],
  numClasses: number,
): ImageRecord[] {
  if (!Array.isArray(gts) || !Array.isArray(dets)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `gts and dets must be arrays (one entry per image); got ${describeValue(gts)}, ${describeValue(dets)}`,
    );
  }
  if (gts.length !== dets.length) {
    fail("SHAPE_MISMATCH", fn, `gts has ${gts.length} images but dets has ${dets.length}`, {
      expected: gts.length,
      actual: dets.length,
    });
  }
  return gts.map((gt, i) => makeRecord(fn, i, gt, dets[i]!, numClasses));
}
