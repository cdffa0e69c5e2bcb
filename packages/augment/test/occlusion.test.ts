import { fc, test as ftest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { copyPaste, createRng, makeSample, occlusion, type Sample } from "../src/index.js";
import { arbSample, expectValidBoxes, patternImage, pxBoxes } from "./helpers.js";

/** True at pixels inside the integer cover of some box. */
function objectMask(s: Sample): Uint8Array {
  const W = s.image.shape[1] as number;
  const H = s.image.shape[0] as number;
  const m = new Uint8Array(W * H);
  const d = s.boxes.data;
  for (let i = 0; i < d.length; i += 4) {
    for (let y = Math.floor(d[i + 1] as number); y < Math.ceil(d[i + 3] as number); y++) {
      for (let x = Math.floor(d[i] as number); x < Math.ceil(d[i + 2] as number); x++) m[y * W + x] = 1;
    }
  }
  return m;
}

describe("occlusion", () => {
  ftest.prop(
    [
      arbSample({ maxSide: 32, channels: [1, 3, 4] }),
      fc.constantFrom("zero", "mean", "noise", "patch" as const),
      fc.integer(),
    ],
    { numRuns: 60 },
  )("never changes pixels outside object regions; boxes kept unchanged or reported", (s, fill, seed) => {
    const t = occlusion({
      perBox: 1,
      fill,
      fraction: [0.2, 0.9],
      patches: [patternImage(7, 5, s.image.shape[2] as number, 9)],
    });
    const { sample, report } = t.apply(s, createRng(seed));
    const mask = objectMask(s);
    const C = s.image.shape[2] as number;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] === 0)
        for (let c = 0; c < C; c++) expect(sample.image.data[p * C + c]).toBe(s.image.data[p * C + c]);
    }
    expect(report.kept.length + report.dropped.length).toBe(s.boxes.length);
    for (const d of report.dropped) expect(d.reason).toBe("occluded");
    report.kept.forEach((i, j) => {
      expect(Array.from(sample.boxes.data.subarray(j * 4, j * 4 + 4))).toEqual(
        Array.from(s.boxes.data.subarray(i * 4, i * 4 + 4)),
      );
    });
  });
  test("a full cut-out drops the box as occluded; zero fill writes zeros inside the box only", () => {
    const s = makeSample(patternImage(10, 10), pxBoxes([[2, 2, 6, 6]]), [4]);
    const { sample, report } = occlusion({
      perBox: 1,
      fraction: [1, 1],
      aspect: [1, 1],
      minVisible: 0.5,
    }).apply(s, createRng(1));
    expect(report.dropped).toMatchObject([
      { index: 0, reason: "occluded", label: 4, transform: "occlusion" },
    ]);
    expect(sample.boxes.length).toBe(0);
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) expect(sample.image.get(y, x, 0)).toBe(0);
    expect(sample.image.get(1, 1, 0)).toBe(s.image.get(1, 1, 0));
  });
  test("patch fill needs patches", () => {
    try {
      occlusion({ fill: "patch" });
      throw new Error("no error");
    } catch (e) {
      expect(isOdError(e, "INVALID_ARGUMENT")).toBe(true);
      expect((e as Error).message).toBe('occlusion: options.fill "patch" needs options.patches');
    }
  });
});

describe("copyPaste", () => {
  const source = makeSample(
    patternImage(40, 30, 3, 5),
    pxBoxes([
      [1.5, 2.5, 9.5, 10.5],
      [20, 5, 30, 15],
      [5, 20, 12, 28],
    ]),
    [0, 0, 2],
  );
  ftest.prop([arbSample({ maxSide: 48, channels: [3] }), fc.integer(), fc.boolean()], { numRuns: 50 })(
    "pasted boxes are valid, input boxes are kept (possibly shrunk) or reported, overlap with earlier boxes is bounded",
    (s, seed, balanced) => {
      const { sample, report } = copyPaste({
        sources: [source],
        count: [1, 4],
        classBalanced: balanced,
        feather: 1.5,
        scale: [0.5, 1.5],
      }).apply(s, createRng(seed));
      expectValidBoxes(sample);
      const fromInput = Array.from(report.kept).filter((i) => i >= 0);
      expect(fromInput.length + report.dropped.length).toBe(s.boxes.length);
      expect(report.steps[0]?.added).toBe(Array.from(report.kept).filter((i) => i < 0).length);
      report.kept.forEach((i, j) => {
        if (i < 0) return;
        // a kept input box only shrinks
        const o = s.boxes.data.subarray(i * 4, i * 4 + 4);
        const n = sample.boxes.data.subarray(j * 4, j * 4 + 4);
        expect(n[0]).toBeGreaterThanOrEqual(o[0] as number);
        expect(n[2]).toBeLessThanOrEqual(o[2] as number);
        expect(sample.labels[j]).toBe(s.labels[i]);
      });
    },
  );
  test("pastes keep the sub-pixel box position and the crop's pixels", () => {
    const target = makeSample(patternImage(50, 50, 3, 1), pxBoxes([]), []);
    const one = makeSample(source.image, pxBoxes([[1.5, 2.5, 9.5, 10.5]]), [7]);
    const { sample } = copyPaste({ sources: [one], count: [1, 1] }).apply(target, createRng(3));
    expect(Array.from(sample.labels)).toEqual([7]);
    const [x1, y1, x2, y2] = Array.from(sample.boxes.data) as [number, number, number, number];
    expect([x2 - x1, y2 - y1]).toEqual([8, 8]);
    const X = x1 - 0.5;
    const Y = y1 - 0.5;
    expect(sample.image.get(Y, X, 1)).toBe(source.image.get(2, 1, 1));
    expect(sample.image.get(Y + 8, X + 8, 2)).toBe(source.image.get(10, 9, 2));
  });
  test("class-balanced sampling pastes the rare class about as often as the common one", () => {
    const target = makeSample(patternImage(200, 200, 3, 1), pxBoxes([]), []);
    const bank = makeSample(
      patternImage(40, 30, 3, 5),
      pxBoxes([
        [0, 0, 2, 2],
        [2, 0, 4, 2],
        [4, 0, 6, 2],
        [6, 0, 8, 2],
        [8, 0, 10, 2],
        [0, 5, 2, 7],
      ]),
      [0, 0, 0, 0, 0, 1],
    );
    const count = (balanced: boolean) => {
      let rare = 0;
      const rng = createRng(11);
      const t = copyPaste({ sources: [bank], count: [4, 4], classBalanced: balanced, maxOverlap: 1 });
      for (let k = 0; k < 100; k++)
        rare += Array.from(t.apply(target, rng).sample.labels).filter((l) => l === 1).length;
      return rare / 400;
    };
    expect(count(false)).toBeLessThan(0.3);
    expect(count(true)).toBeGreaterThan(0.35);
  });
  test("channel mismatch is a typed error", () => {
    const gray = makeSample(patternImage(10, 10, 1), pxBoxes([]), []);
    try {
      copyPaste({ sources: [source], count: [1, 1] }).apply(gray, createRng(1));
      throw new Error("no error");
    } catch (e) {
      expect(isOdError(e, "SHAPE_MISMATCH")).toBe(true);
      expect((e as Error).message).toMatch(
        /^copyPaste: options.sources\[0\] has 3 channels uint8; the sample has 1 channels uint8/,
      );
    }
  });
});
