import { BOXES_KIND, describeValue } from "@od/boxes";
import type { ClassSpec, Detections, GroundTruth } from "../types.js";
import { fail } from "./fail.js";

/** One image as stored by the evaluator: validated copies, flat typed arrays. */
export interface ImageRecord {
  /** `[N, 4]` xyxy px. */
  readonly gtBoxes: Float32Array;
  /** `[N]`. */
  readonly gtLabels: Int32Array;
  /** `[N]` 0/1. */
  readonly gtDifficult: Uint8Array;
  /** `[N]` 0/1. */
  readonly gtCrowd: Uint8Array;
  /** `[D, 4]` xyxy px. */
  readonly detBoxes: Float32Array;
  /** `[D]`. */
  readonly detScores: Float32Array;
  /** `[D]`. */
  readonly detLabels: Int32Array;
}

/** Resolves a ClassSpec into names, validating it. */
export function resolveClasses(fn: string, spec: ClassSpec | undefined): string[] {
  if (
    spec === undefined ||
    spec === null ||
    typeof spec !== "object" ||
    !("classNames" in spec || "numClasses" in spec)
  ) {
    fail("INVALID_ARGUMENT", fn, `options must give classNames or numClasses; got ${describeValue(spec)}`);
  }
  if ("classNames" in spec) {
    const names = spec.classNames;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")) {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `classNames must be a non-empty array of strings; got ${describeValue(names)}`,
        {
          arg: "classNames",
        },
      );
    }
    return [...names];
  }
  const k = spec.numClasses;
  if (!Number.isInteger(k) || k < 1) {
    fail("INVALID_ARGUMENT", fn, `numClasses must be a positive integer; got ${describeValue(k)}`, {
      arg: "numClasses",
      value: k,
    });
  }
  return Array.from({ length: k }, (_, i) => `class ${i}`);
}

function checkXyxyPx(fn: string, where: string, b: unknown): Float32Array {
  const r = b as {
    kind?: unknown;
    format?: unknown;
    units?: unknown;
    data?: unknown;
    length?: unknown;
  } | null;
  if (typeof r !== "object" || r === null || r.kind !== BOXES_KIND) {
    fail("NOT_BOXES", fn, `${where} must be Boxes<'xyxy','px'>; got ${describeValue(b)}`, { where });
  }
  if (r.format !== "xyxy" || r.units !== "px") {
    fail(
      "NOT_BOXES",
      fn,
      `${where} must be xyxy px boxes; got ${String(r.format)} ${String(r.units)} (convert() / toPx() first)`,
      { where, expected: "xyxy px", actual: `${String(r.format)} ${String(r.units)}` },
    );
  }
  if (!(r.data instanceof Float32Array) || r.data.length !== Number(r.length) * 4) {
    fail(
      "NOT_BOXES",
      fn,
      `${where}.data must be a Float32Array of length 4 * length; got ${describeValue(r.data)}`,
      {
        where,
      },
    );
  }
  const d = r.data;
  for (let i = 0; i < d.length; i += 4) {
    const x1 = d[i]!;
    const y1 = d[i + 1]!;
    const x2 = d[i + 2]!;
    const y2 = d[i + 3]!;
    if (!(Number.isFinite(x1) && Number.isFinite(y1) && Number.isFinite(x2) && Number.isFinite(y2))) {
      fail(
        "INVALID_BOX",
        fn,
        `${where}[${i >> 2}] has a non-finite coordinate: [${x1}, ${y1}, ${x2}, ${y2}]`,
        {
          where,
          index: i >> 2,
        },
      );
    }
    if (x2 < x1 || y2 < y1) {
      fail(
        "INVALID_BOX",
        fn,
        `${where}[${i >> 2}] is inverted (need x1 <= x2, y1 <= y2): [${x1}, ${y1}, ${x2}, ${y2}]`,
        {
          where,
          index: i >> 2,
        },
      );
    }
  }
  return d.slice();
}

function checkLength(fn: string, where: string, a: unknown, n: number): ArrayLike<number> {
  const r = a as ArrayLike<number> | null;
  if (typeof r !== "object" || r === null || typeof r.length !== "number") {
    fail("SHAPE_MISMATCH", fn, `${where} must be an array of length ${n}; got ${describeValue(a)}`, {
      where,
    });
  }
  if (r.length !== n) {
    fail("SHAPE_MISMATCH", fn, `${where} has length ${r.length} but boxes has ${n}`, {
      where,
      expected: n,
      actual: r.length,
    });
  }
  return r;
}

function copyLabels(fn: string, where: string, a: unknown, n: number, k: number): Int32Array {
  const src = checkLength(fn, where, a, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = src[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      fail("LABEL_OUT_OF_RANGE", fn, `${where}[${i}] = ${v} is not a class index in [0, ${k})`, {
        where,
        index: i,
        value: v,
      });
    }
    out[i] = v;
  }
  return out;
}

function copyFlags(fn: string, where: string, a: unknown, n: number): Uint8Array {
  if (a === undefined) return new Uint8Array(n);
  const src = checkLength(fn, where, a, n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = src[i] ? 1 : 0;
  return out;
}

/**
 * Validates one image's ground truth and detections and copies them into a record.
 * Error messages read `fn: image <i>: gt.labels[3] = 7 is not a class index in [0, 3)`.
 */
export function makeRecord(
  fn: string,
  image: number,
  gt: GroundTruth,
  det: Detections,
  k: number,
): ImageRecord {
  const at = `image ${image}: `;
  if (typeof gt !== "object" || gt === null) {
    fail("INVALID_ARGUMENT", fn, `${at}gt must be { boxes, labels }; got ${describeValue(gt)}`, { image });
  }
  if (typeof det !== "object" || det === null) {
    fail("INVALID_ARGUMENT", fn, `${at}det must be { boxes, scores, labels }; got ${describeValue(det)}`, {
      image,
    });
  }
  const f = `${fn}: ${at.slice(0, -2)}`;
  const gtBoxes = checkXyxyPx(f, "gt.boxes", gt.boxes);
  const n = gtBoxes.length >> 2;
  const gtLabels = copyLabels(f, "gt.labels", gt.labels, n, k);
  const gtDifficult = copyFlags(f, "gt.difficult", gt.difficult, n);
  const gtCrowd = copyFlags(f, "gt.crowd", gt.crowd, n);
  const detBoxes = checkXyxyPx(f, "det.boxes", det.boxes);
  const d = detBoxes.length >> 2;
  const detLabels = copyLabels(f, "det.labels", det.labels, d, k);
  const s = checkLength(f, "det.scores", det.scores, d);
  const detScores = new Float32Array(d);
  for (let i = 0; i < d; i++) {
    const v = s[i]!;
    if (typeof v !== "number" || Number.isNaN(v)) {
      fail("INVALID_SCORE", f, `det.scores[${i}] is ${describeValue(v)}; scores must be numbers, not NaN`, {
        where: "det.scores",
        index: i,
      });
    }
    detScores[i] = v;
  }
  return { gtBoxes, gtLabels, gtDifficult, gtCrowd, detBoxes, detScores, detLabels };
}
