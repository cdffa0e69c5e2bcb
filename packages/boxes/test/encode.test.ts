import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import {
  BBOX_XFORM_CLIP,
  BOX_FORMATS,
  boxes,
  convert,
  decode,
  emptyBoxes,
  encode,
  SSD_VARIANCES,
  toArray,
  unsafeBoxes,
} from "@od/boxes";
import { arbBoxes } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught, maxAbsDiff } from "./helpers.js";

interface CoderFixture {
  weights: number[];
  bbox_xform_clip: number;
  encode: { priors_cxcywh: number[][]; gt_xyxy: number[][]; targets: number[][] };
  decode: { priors_cxcywh: number[][]; deltas: number[][]; boxes_xyxy: number[][] };
}
const fx = JSON.parse(
  readFileSync(new URL("./fixtures/core_coder.json", import.meta.url), "utf8"),
) as CoderFixture;

/** Priors: cxcywh rel with sizes in [0.05, 0.9], built directly. */
const arbPriors = (n: number) =>
  fc
    .array(
      fc.tuple(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
      ),
      { minLength: n, maxLength: n },
    )
    .map((rows) => boxes(rows, "cxcywh", "rel"));

describe("SSD_VARIANCES", () => {
  test("are the reciprocals of torchvision BoxCoder weights (10, 10, 5, 5)", () => {
    expect(SSD_VARIANCES.map((v) => 1 / v)).toEqual(fx.weights);
    expect(BBOX_XFORM_CLIP).toBeCloseTo(fx.bbox_xform_clip, 12);
  });
});

describe("encode", () => {
  const prior = boxes([[0.5, 0.5, 0.2, 0.2]], "cxcywh", "rel");

  test.each([
    ["same box", [0.4, 0.4, 0.6, 0.6], [0, 0, 0, 0]],
    // centre y 0.55: ty = 0.05 / (0.1 * 0.2) = 2.5
    ["shifted down", [0.4, 0.45, 0.6, 0.65], [0, 2.5, 0, 0]],
    // width 0.4: tw = log(0.4 / 0.2) / 0.2 = 5 log 2
    ["twice as wide", [0.3, 0.4, 0.7, 0.6], [0, 0, 5 * Math.LN2, 0]],
  ] as const)("by hand: %s", (_name, gt, expected) => {
    const t = encode(boxes([gt], "xyxy", "rel"), prior);
    expect(maxAbsDiff(t, expected)).toBeLessThan(1e-5);
  });

  test("matches torchvision BoxCoder.encode_single", () => {
    const t = encode(
      boxes(fx.encode.gt_xyxy, "xyxy", "rel"),
      boxes(fx.encode.priors_cxcywh, "cxcywh", "rel"),
    );
    expect(maxAbsDiff(t, fx.encode.targets.flat())).toBeLessThan(2e-4);
  });

  test.each(BOX_FORMATS)("the matched boxes may be in any format (%s)", (f) => {
    const gt = boxes(fx.encode.gt_xyxy, "xyxy", "rel");
    const priors = boxes(fx.encode.priors_cxcywh, "cxcywh", "rel");
    expect(maxAbsDiff(encode(convert(gt, f), priors), encode(gt, priors))).toBeLessThan(1e-4);
  });

  test("empty input", () => {
    expect(encode(emptyBoxes("xyxy", "rel"), emptyBoxes("cxcywh", "rel")).length).toBe(0);
  });

  test("degenerate ground truth gives finite targets (torchvision gives -inf)", () => {
    const gt = unsafeBoxes(
      new Float32Array([0.5, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.6, 0.6, 0.6, 0.4, 0.4]),
      "xyxy",
      "rel",
    );
    const t = encode(
      gt,
      boxes(
        [
          [0.5, 0.5, 0.2, 0.2],
          [0.5, 0.5, 0.2, 0.2],
          [0.5, 0.5, 0.2, 0.2],
        ],
        "cxcywh",
        "rel",
      ),
    );
    expect(Array.from(t).every(Number.isFinite)).toBe(true);
    expect(t[2]).toBeCloseTo(Math.log(1e-8 / 0.2) / 0.2, 3);
  });

  test("errors when types are bypassed", () => {
    const gt = boxes([[0, 0, 1, 1]], "xyxy", "rel");
    expect(caught(() => encode(gt, gt as never))).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "encode: priors must be cxcywh boxes; got xyxy",
    });
    expect(caught(() => encode(gt, boxes([[0.5, 0.5, 1, 1]], "cxcywh", "px") as never))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "encode: priors must be in rel units; got px",
    });
    expect(caught(() => encode(gt, emptyBoxes("cxcywh", "rel")))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "encode: matched has 1 boxes but priors has 0; they pair row by row",
    });
    expect(
      caught(() => encode(gt, unsafeBoxes(new Float32Array([0.5, 0.5, 0, 1]), "cxcywh", "rel"))),
    ).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "encode: priors[0] must be finite with width and height > 0; got [0.5, 0.5, 0, 1]",
    });
    expect(caught(() => encode(gt, prior, { variances: [0.1, 0.1, 0.2, 0] }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "encode: options.variances must be 4 finite numbers > 0; got [0.1, 0.1, 0.2, 0]",
    });
  });

  test.prop([
    arbPriors(16),
    arbBoxes({ format: "cxcywh", units: "rel", minLength: 16, maxLength: 16, allowEmpty: false }),
  ])("decode(encode(g)) = g (non-degenerate boxes, within the clip range)", (priors, g) => {
    // keep log-size ratios inside BBOX_XFORM_CLIP (ratios up to 62.5x): true for sizes >= 0.05 / 62.5
    const ok = Array.from(
      { length: g.length },
      (_, i) => Math.min(g.data[i * 4 + 2] as number, g.data[i * 4 + 3] as number) > 0.001,
    );
    const back = decode(encode(g, priors), priors);
    for (let i = 0; i < g.length; i++) {
      if (!ok[i]) continue;
      for (let k = 0; k < 4; k++) {
        const want = g.data[i * 4 + k] as number;
        expect(Math.abs((back.data[i * 4 + k] as number) - want)).toBeLessThanOrEqual(
          1e-5 + 1e-4 * Math.abs(want),
        );
      }
    }
  });

  test.prop([
    fc
      .constantFrom(...BOX_FORMATS)
      .chain((format) => arbBoxes({ format, units: "px", minLength: 8, maxLength: 8 })),
  ])("degenerate and any-format boxes always give finite targets", (g) => {
    const priors = boxes(
      Array.from({ length: 8 }, () => [100, 100, 50, 80]),
      "cxcywh",
      "px",
    );
    expect(Array.from(encode(g, priors)).every(Number.isFinite)).toBe(true);
  });
});

describe("decode", () => {
  test("by hand", () => {
    const priors = boxes([[0.5, 0.5, 0.2, 0.2]], "cxcywh", "rel");
    const d = decode(new Float32Array([1, -1, 5 * Math.LN2, 0]), priors);
    // cx = 1 · 0.1 · 0.2 + 0.5, cy = 0.48, w = exp(0.2 · 5 ln 2) · 0.2 = 0.4
    expect(maxAbsDiff(d.data, [0.52, 0.48, 0.4, 0.2])).toBeLessThan(1e-6);
    expect(d.format).toBe("cxcywh");
    expect(d.units).toBe("rel");
  });

  test("matches torchvision BoxCoder.decode_single (including bbox_xform_clip)", () => {
    const priors = boxes(fx.decode.priors_cxcywh, "cxcywh", "rel");
    const out = decode(Float32Array.from(fx.decode.deltas.flat()), priors);
    const got = convert(out, "xyxy");
    const want = fx.decode.boxes_xyxy.flat();
    for (let i = 0; i < want.length; i++) {
      expect(Math.abs((got.data[i] as number) - (want[i] as number))).toBeLessThanOrEqual(
        1e-5 + 1e-5 * Math.abs(want[i] as number),
      );
    }
  });

  test("clip can be disabled", () => {
    const priors = boxes([[0, 0, 1, 1]], "cxcywh", "px");
    const big = new Float32Array([0, 0, 30, 0]);
    expect(toArray(decode(big, priors))[0]?.[2]).toBeCloseTo(1000 / 16, 3);
    expect(toArray(decode(big, priors, { clip: Number.POSITIVE_INFINITY }))[0]?.[2]).toBeCloseTo(
      Math.exp(6),
      2,
    );
  });

  test("errors", () => {
    const priors = boxes([[0.5, 0.5, 0.2, 0.2]], "cxcywh", "rel");
    expect(caught(() => decode(new Float32Array(3), priors))).toMatchObject({
      code: "SHAPE_MISMATCH",
      message: "decode: deltas must be a Float32Array [1, 4] to match priors; got Float32Array(3)[0, 0, 0]",
    });
    expect(
      caught(() => decode(new Float32Array(4), boxes([[0, 0, 1, 1]], "xyxy", "rel") as never)),
    ).toMatchObject({
      code: "FORMAT_MISMATCH",
      message: "decode: priors must be cxcywh boxes; got xyxy",
    });
  });

  test.prop([
    arbPriors(12),
    fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: 48, maxLength: 48 }),
  ])("encode(decode(d)) = d within the clip range", (priors, d) => {
    const deltas = Float32Array.from(d);
    const back = encode(decode(deltas, priors), priors);
    expect(maxAbsDiff(back, deltas)).toBeLessThan(2e-4);
  });
});
