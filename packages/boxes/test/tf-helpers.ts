/**
 * Shared set-up for the `@od/boxes/tf` tests: the cpu backend, gradient registration, box arbitraries
 * and comparison helpers.
 *
 * Gradients: `@tensorflow/tfjs-core` registers no gradient functions by itself. Its
 * `dist/register_all_gradients.js` is ESM inside a CommonJS package, so plain Node cannot import it,
 * but vitest transforms it (it is not a valid Node import, so vitest inlines it); the gradient
 * registry is global, so the configs register for the core the tests use.
 */
import { fc } from "@fast-check/vitest";
import { type Boxes, type BoxFormat, type BoxUnits, unsafeBoxes } from "@od/boxes";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { beforeAll, expect } from "vitest";

beforeAll(async () => {
  await tf.setBackend("cpu");
  await tf.ready();
});

export { tf };

/** Snaps to a 2^-20 grid: keeps float32 products of sizes far from underflow (the tensor path is float32). */
const snap = (v: number) => Math.round(v * 2 ** 20) / 2 ** 20;

/**
 * xyxy rows with coordinates in [0, 100] and sizes in [0, 60] on a 2^-20 grid, about one in five
 * widths or heights exactly 0.
 */
export const xyxyRowArb = fc
  .tuple(
    fc.double({ min: 0, max: 100, noNaN: true }),
    fc.double({ min: 0, max: 100, noNaN: true }),
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 4, arbitrary: fc.double({ min: 0.01, max: 60, noNaN: true }) },
    ),
    fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 4, arbitrary: fc.double({ min: 0.01, max: 60, noNaN: true }) },
    ),
  )
  .map(([x, y, w, h]) => [snap(x), snap(y), snap(x) + snap(w), snap(y) + snap(h)] as const);

/** `[N, 4]` xyxy px Boxes with N in [0, maxN]. */
export function xyxyBoxesArb(maxN = 12, minN = 0): fc.Arbitrary<Boxes<"xyxy", "px">> {
  return fc
    .array(xyxyRowArb, { minLength: minN, maxLength: maxN })
    .map((rows) => unsafeBoxes(Float32Array.from(rows.flat()), "xyxy", "px"));
}

/** Two `[N, 4]` xyxy px Boxes of the same N. */
export function alignedPairArb(maxN = 12): fc.Arbitrary<[Boxes<"xyxy", "px">, Boxes<"xyxy", "px">]> {
  return fc
    .array(fc.tuple(xyxyRowArb, xyxyRowArb), { maxLength: maxN })
    .map((pairs) => [
      unsafeBoxes(Float32Array.from(pairs.flatMap((p) => p[0])), "xyxy", "px"),
      unsafeBoxes(Float32Array.from(pairs.flatMap((p) => p[1])), "xyxy", "px"),
    ]);
}

export const formatArb = fc.constantFrom<BoxFormat>("xyxy", "xywh", "cxcywh", "yxyx");

/**
 * Elementwise `|actual − expected| ≤ tol · max(1, |expected|)` (absolute for values in [−2, 1],
 * relative for coordinates); NaN must meet NaN.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(e)) {
      expect(a, `index ${i}`).toBeNaN();
      continue;
    }
    if (!Number.isFinite(e)) {
      expect(a, `index ${i}`).toBe(e);
      continue;
    }
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(err <= tol)) expect.fail(`index ${i}: got ${a}, expected ${e} (error ${err} > ${tol})`);
  }
}

/** Every value finite. */
export function expectFinite(values: ArrayLike<number>, what = "value"): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) expect.fail(`${what}[${i}] is ${values[i]}`);
  }
}

/**
 * Runs `f` and asserts that it leaves exactly its returned tensors allocated (no leaked
 * intermediates), then disposes the result and checks the count is back where it started.
 * Returns the result's data.
 */
export function leakFree(f: () => tf.TensorContainer): Float32Array[] {
  const before = tf.memory().numTensors;
  const r = f();
  const kept: tf.Tensor[] = [];
  const walk = (x: unknown) => {
    if (x instanceof tf.Tensor) kept.push(x);
    else if (typeof x === "object" && x !== null) for (const v of Object.values(x)) walk(v);
  };
  walk(r);
  expect(tf.memory().numTensors).toBe(before + kept.length);
  const data = kept.map((t) => t.dataSync<"float32">().slice());
  tf.dispose(r);
  expect(tf.memory().numTensors).toBe(before);
  return data;
}

/** Format/units label of Boxes, for test names. */
export function tag(b: { format: BoxFormat; units: BoxUnits }): string {
  return `${b.format}/${b.units}`;
}
