import fc from "fast-check";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Pixels } from "../src/pixels.js";
import { resizeInto } from "../src/resample.js";
import { resizeWasmActive, resizeWasmBlocks, setResizeWasm } from "../src/resize-wasm.js";
import { flipSource, materialize, type Source, shiftSource } from "../src/view.js";

/** Pseudo-random bytes (a cheap hash), so every case is reproducible from its seed. */
function bytes(n: number, seed: number): Uint8Array {
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.imul(i + 1 + seed * 7919, 2654435761) >>> 24;
  return d;
}

function pixels(width: number, height: number, channels: number, seed: number): Pixels<Uint8Array> {
  return { data: bytes(width * height * channels, seed), width, height, channels };
}

/**
 * Independent scalar statement of the uint8 bilinear resize, after OpenCV's `cv::resize` INTER_LINEAR
 * (imgproc/src/resize.cpp: half-pixel centres, edge clamp, `INTER_RESIZE_COEF_BITS` = 11, the scalar
 * `VResizeLinear` rounding), of `px` into a copy of `canvas` (`outW` wide) at `(ox, oy)`.
 */
function reference(
  px: Pixels,
  dw: number,
  dh: number,
  canvas: Uint8Array,
  outW: number,
  ox: number,
  oy: number,
): Uint8Array {
  const { data, width: W, height: H, channels: C } = px;
  const tap = (len: number, n: number, x: number): [number, number, number] => {
    const f = Math.max(0, (x + 0.5) * (len / n) - 0.5);
    const i = Math.floor(f);
    return i >= len - 1 ? [len - 1, len - 1, 0] : [i, i + 1, Math.round((f - i) * 2048)];
  };
  const out = canvas.slice();
  for (let y = 0; y < dh; y++) {
    const [j0, j1, wy] = tap(H, dh, y);
    for (let x = 0; x < dw; x++) {
      const [i0, i1, wx] = tap(W, dw, x);
      for (let c = 0; c < C; c++) {
        const at = (j: number, i: number) => data[(j * W + i) * C + c] as number;
        const a = at(j0, i0) * (2048 - wx) + at(j0, i1) * wx;
        const b = at(j1, i0) * (2048 - wx) + at(j1, i1) * wx;
        out[((oy + y) * outW + ox + x) * C + c] =
          (((a * (2048 - wy)) >> 4) + ((b * wy) >> 4) + (1 << 17)) >> 18;
      }
    }
  }
  return out;
}

/** Byte equality; names the first differing byte (faster than `toEqual` on large arrays). */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  if (Buffer.compare(actual, expected) === 0) return;
  const i = actual.findIndex((v, k) => v !== expected[k]);
  expect.fail(`byte ${i} differs: ${actual[i]} vs ${expected[i]}`);
}

/** `resizeInto` on a copy of `canvas` with the wasm kernel on or off. */
function run(
  src: Source,
  dw: number,
  dh: number,
  canvas: Uint8Array,
  outW: number,
  ox: number,
  oy: number,
  wasm: boolean,
): Uint8Array {
  const out = canvas.slice();
  const prev = setResizeWasm(wasm);
  try {
    resizeInto(src, dw, dh, "bilinear", out, outW, ox, oy);
  } finally {
    setResizeWasm(prev);
  }
  return out;
}

/** Random resize case: source, target size (up or down), a bigger noisy canvas and an offset into it. */
const arbCase = fc.record({
  w: fc.integer({ min: 1, max: 48 }),
  h: fc.integer({ min: 1, max: 48 }),
  c: fc.constantFrom(1, 2, 3, 4),
  dw: fc.integer({ min: 1, max: 72 }),
  dh: fc.integer({ min: 1, max: 72 }),
  padX: fc.integer({ min: 0, max: 5 }),
  padY: fc.integer({ min: 0, max: 5 }),
  ox: fc.nat(5),
  oy: fc.nat(5),
  seed: fc.nat(1000),
});

type Step =
  | { kind: "flip"; axis: "horizontal" | "vertical" }
  | { kind: "shift"; dx: number; dy: number; tw: number; th: number; fill: number[] | undefined };

/** Lazy shift/flip chains as the crop, expand, translate and flip transforms build them. */
const arbSteps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), axis: fc.constantFrom("horizontal", "vertical") }),
    fc.record({
      kind: fc.constant("shift" as const),
      dx: fc.integer({ min: -40, max: 40 }),
      dy: fc.integer({ min: -40, max: 40 }),
      tw: fc.integer({ min: 1, max: 60 }),
      th: fc.integer({ min: 1, max: 60 }),
      fill: fc.option(fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }), { nil: undefined }),
    }),
  ),
  { minLength: 1, maxLength: 4 },
);

function applySteps(px: Pixels, steps: readonly Step[]): Source {
  let s: Source = px;
  for (const st of steps) {
    s = st.kind === "flip" ? flipSource(s, st.axis) : shiftSource(s, st.dx, st.dy, st.tw, st.th, st.fill);
  }
  return s;
}

afterEach(() => {
  setResizeWasm(true);
});

describe("wasm uint8 bilinear kernel", () => {
  test("is available in Node (WebAssembly SIMD)", () => {
    expect(resizeWasmActive()).toBe(true);
  });

  test("2x1 -> 4x1 and 2x2 -> 3x3 in wasm: OpenCV INTER_LINEAR values worked out by hand", () => {
    // sx = (x + 0.5) / 2 − 0.5 = −0.25 (clamped 0), 0.25, 0.75, 1.25 (clamped): weights 0, 512, 1536, 0
    const before = resizeWasmBlocks();
    const row = new Uint8Array(4);
    resizeInto(
      { data: Uint8Array.of(0, 100), width: 2, height: 1, channels: 1 },
      4,
      1,
      "bilinear",
      row,
      4,
      0,
      0,
    );
    expect(Array.from(row)).toEqual([0, 25, 75, 100]);
    // sx = (x + 0.5) · 2/3 − 0.5 = −0.17 (0), 0.5, 1.17 (clamped): the centre averages all four pixels
    const sq = new Uint8Array(9 * 3);
    const px = Uint8Array.of(0, 10, 200, 100, 20, 100, 40, 30, 0, 255, 50, 60);
    resizeInto({ data: px, width: 2, height: 2, channels: 3 }, 3, 3, "bilinear", sq, 3, 0, 0);
    expect(Array.from(sq.subarray(12, 15))).toEqual([99, 28, 90]); // (0+100+40+255)/4, (10+20+30+50)/4, ...
    expect(Array.from(sq.subarray(0, 3))).toEqual([0, 10, 200]);
    expect(Array.from(sq.subarray(24, 27))).toEqual([255, 50, 60]);
    expect(resizeWasmBlocks() - before).toBe(2);
  });

  test("bit-identical to the JS kernel and the scalar reference: random sizes, channels, canvas offsets", () => {
    fc.assert(
      fc.property(arbCase, ({ w, h, c, dw, dh, padX, padY, ox, oy, seed }) => {
        const px = pixels(w, h, c, seed);
        const outW = dw + ox + padX;
        const canvas = bytes(outW * (dh + oy + padY) * c, seed + 1);
        const before = resizeWasmBlocks();
        const viaWasm = run(px, dw, dh, canvas, outW, ox, oy, true);
        // a plain image has no fill taps, so the whole output is one block; it runs in wasm unless the
        // rows are sparse (more than 10 source bytes per output byte: strong horizontal downscaling) or
        // the size does not change (a copy)
        if (w <= 10 * dw && !(w === dw && h === dh)) expect(resizeWasmBlocks() - before).toBe(1);
        const viaJs = run(px, dw, dh, canvas, outW, ox, oy, false);
        expectSameBytes(viaWasm, viaJs);
        expectSameBytes(viaWasm, reference(px, dw, dh, canvas, outW, ox, oy));
      }),
      { numRuns: 300 },
    );
  });

  test("bit-identical on lazy views (flips, crops, expands with fill, translations)", () => {
    const before = resizeWasmBlocks();
    fc.assert(
      fc.property(arbCase, arbSteps, ({ w, h, c, dw, dh, padX, padY, ox, oy, seed }, steps) => {
        const v = applySteps(pixels(w, h, c, seed), steps);
        const outW = dw + ox + padX;
        const canvas = bytes(outW * (dh + oy + padY) * c, seed + 2);
        const viaWasm = run(v, dw, dh, canvas, outW, ox, oy, true);
        expectSameBytes(viaWasm, run(v, dw, dh, canvas, outW, ox, oy, false));
        expectSameBytes(viaWasm, reference(materialize(v), dw, dh, canvas, outW, ox, oy));
      }),
      { numRuns: 300 },
    );
    expect(resizeWasmBlocks()).toBeGreaterThan(before);
  });

  test("large images grow the wasm memory; same bytes as JS (640×480 letterbox, 4000×3000 and upscaling)", () => {
    for (const [w, h, c, dw, dh, outW, outH, ox, oy] of [
      [640, 480, 3, 300, 225, 300, 300, 0, 37],
      [641, 479, 4, 299, 223, 320, 240, 7, 9],
      [37, 23, 1, 1000, 620, 1000, 640, 0, 10],
      [4000, 3000, 3, 300, 225, 300, 300, 0, 37],
      [1200, 3000, 3, 120, 300, 300, 300, 90, 0],
    ] as const) {
      const px = pixels(w, h, c, w + h);
      const canvas = new Uint8Array(outW * outH * c);
      const viaWasm = run(px, dw, dh, canvas, outW, ox, oy, true);
      expectSameBytes(viaWasm, run(px, dw, dh, canvas, outW, ox, oy, false));
      expectSameBytes(viaWasm, reference(px, dw, dh, canvas, outW, ox, oy));
    }
  });

  test("switched off, the JS kernel runs (no wasm blocks) and gives the reference bytes", () => {
    const before = resizeWasmBlocks();
    const prev = setResizeWasm(false);
    expect(prev).toBe(true);
    expect(resizeWasmActive()).toBe(false);
    const px = pixels(64, 48, 3, 5);
    const canvas = new Uint8Array(40 * 40 * 3);
    const out = canvas.slice();
    resizeInto(flipSource(px, "horizontal"), 40, 30, "bilinear", out, 40, 0, 5);
    expect(resizeWasmBlocks()).toBe(before);
    expectSameBytes(out, reference(materialize(flipSource(px, "horizontal")), 40, 30, canvas, 40, 0, 5));
  });

  const withoutWasm = async (stub: unknown): Promise<void> => {
    vi.stubGlobal("WebAssembly", stub);
    vi.resetModules();
    try {
      const wasm = await import("../src/resize-wasm.js");
      const kernels = await import("../src/resample.js");
      expect(wasm.resizeWasmActive()).toBe(false);
      const px = pixels(33, 21, 3, 9);
      const canvas = bytes(30 * 30 * 3, 3);
      const out = canvas.slice();
      kernels.resizeInto(px, 30, 19, "bilinear", out, 30, 0, 5);
      expect(wasm.resizeWasmBlocks()).toBe(0);
      expectSameBytes(out, reference(px, 30, 19, canvas, 30, 0, 5));
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  };

  test("without WebAssembly the JS kernel runs", async () => {
    await withoutWasm(undefined);
  });

  test("when the module fails to compile (an engine without SIMD) the JS kernel runs", async () => {
    const real = WebAssembly;
    await withoutWasm({
      ...real,
      Instance: real.Instance,
      Memory: real.Memory,
      CompileError: real.CompileError,
      Module: class {
        constructor() {
          throw new real.CompileError("SIMD unsupported");
        }
      },
    });
  });
});
