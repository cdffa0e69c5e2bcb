import { fc, test as ftest } from "@fast-check/vitest";
import { isOdError } from "@od/boxes";
import { describe, expect, test } from "vitest";
import {
  compose,
  createRng,
  crop,
  expand,
  horizontalFlip,
  type Image,
  letterbox,
  letterboxImage,
  makeSample,
  oneOf,
  randomScale,
  resize,
  resizeImage,
  rotate90,
  type Sample,
  ssdCrop,
  toUnitImage,
  translate,
  uint8Image,
  unitImage,
  verticalFlip,
} from "../src/index.js";
import { arbSample, emptySample, expectValidBoxes, patternImage, pxBoxes } from "./helpers.js";

const rng = () => createRng(7);
const same = (a: Sample, b: Sample, tol = 0) => {
  expect(a.image.shape).toEqual(b.image.shape);
  expect(
    Buffer.from(a.image.data.buffer, a.image.data.byteOffset, a.image.data.byteLength).equals(
      Buffer.from(b.image.data.buffer, b.image.data.byteOffset, b.image.data.byteLength),
    ),
  ).toBe(true);
  if (tol === 0) expect(Array.from(a.boxes.data)).toEqual(Array.from(b.boxes.data));
  else
    for (let i = 0; i < a.boxes.data.length; i++)
      expect(Math.abs((a.boxes.data[i] as number) - (b.boxes.data[i] as number))).toBeLessThanOrEqual(tol);
  expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
};

function expectError(f: () => unknown, code: string, message: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isOdError(err, code), String(err)).toBe(true);
  expect((err as Error).message).toMatch(message);
}

describe("resize", () => {
  test("resizeImage and letterboxImage are @od/image's (one resampler for every package)", async () => {
    const image = await import("@od/image");
    const aug = await import("../src/index.js");
    expect(aug.resizeImage).toBe(image.resizeImage);
    expect(aug.letterboxImage).toBe(image.letterboxImage);
  });
  test("sizes <= 0 are typed errors naming the function and value", () => {
    expectError(
      () => resizeImage(patternImage(2, 2), 0, 3),
      "INVALID_ARGUMENT",
      /^resizeImage: width must be a positive integer; got 0/,
    );
    expectError(
      () => resize({ width: 3, height: -1 }),
      "INVALID_ARGUMENT",
      /^resize: options.height must be a positive integer; got -1/,
    );
    expectError(
      () => crop({ x: 0, y: 0, width: 0, height: 2 }),
      "INVALID_ARGUMENT",
      /^crop: options.width must be a positive integer; got 0/,
    );
    expectError(() => letterbox({ width: 300, height: 0 }), "INVALID_ARGUMENT", /^letterbox: options.height/);
  });
  test("resize transform scales boxes and records it", () => {
    const s = makeSample(patternImage(8, 4), pxBoxes([[2, 1, 6, 3]]), [1]);
    const r = resize({ width: 4, height: 8 }).apply(s, rng());
    expect(Array.from(r.sample.boxes.data)).toEqual([1, 2, 3, 6]);
    expect(r.sample.records).toEqual([
      {
        kind: "od.resize",
        source: { width: 8, height: 4 },
        target: { width: 4, height: 8 },
        scaleX: 0.5,
        scaleY: 2,
      },
    ]);
  });
});

describe("letterbox", () => {
  test("640x480 -> 300x300: 300x225 at (0, 37), zero padding, boxes mapped", () => {
    const s = makeSample(
      patternImage(640, 480),
      pxBoxes([
        [0, 0, 640, 480],
        [64, 48, 128, 96],
      ]),
      [0, 1],
    );
    const { sample } = letterbox({ width: 300, height: 300 }).apply(s, rng());
    const d = sample.image.data;
    expect(sample.image.shape).toEqual([300, 300, 3]);
    expect(d.subarray(0, 37 * 900).every((v) => v === 0)).toBe(true);
    expect(d.subarray((37 + 225) * 900).every((v) => v === 0)).toBe(true);
    expect(Array.from(sample.boxes.data)).toEqual([0, 37, 300, 262, 30, 59.5, 60, 82]);
    expect(sample.records[0]).toMatchObject({
      kind: "od.letterbox",
      resized: { width: 300, height: 225 },
      offset: { x: 0, y: 37 },
    });
  });
  test("the recipe's camera: 1280x720 rotated to 720x1280, fit into 224x224 of a 240x320 canvas", () => {
    const s = makeSample(patternImage(1280, 720, 1), pxBoxes([[0, 0, 1280, 720]]), [0]);
    const t = compose([
      rotate90({ k: 1 }),
      letterbox({ width: 240, height: 320, fit: { width: 224, height: 224 } }),
    ]);
    const { sample } = t.apply(s, rng());
    expect(sample.image.shape).toEqual([320, 240, 1]);
    // 720x1280 * 0.175 = 126x224, centred in 240x320: offset (57, 48)
    expect(sample.records[1]).toMatchObject({
      resized: { width: 126, height: 224 },
      offset: { x: 57, y: 48 },
    });
    expect(Array.from(sample.boxes.data)).toEqual([57, 48, 183, 272]);
  });
  test("top-left alignment and letterboxImage agree with the transform", () => {
    const s = makeSample(patternImage(20, 10), pxBoxes([]), []);
    const { sample } = letterbox({ width: 16, height: 16, align: "top-left" }).apply(s, rng());
    const rec = sample.records[0];
    if (rec?.kind !== "od.letterbox") throw new Error("no record");
    expect(rec.offset).toEqual({ x: 0, y: 0 });
    expect(Array.from(letterboxImage(s.image, rec).data)).toEqual(Array.from(sample.image.data));
    expectError(
      () => letterboxImage(patternImage(3, 3), rec),
      "INVALID_ARGUMENT",
      /^letterboxImage: image is 3x3 but record.source is 20x10/,
    );
  });
});

describe("flips and rotate90", () => {
  test("horizontal flip: pixels mirrored, box [1,1,3,4] in W=10 -> [7,1,9,4]", () => {
    const s = makeSample(patternImage(10, 6), pxBoxes([[1, 1, 3, 4]]), [3]);
    const { sample } = horizontalFlip().apply(s, rng());
    expect(sample.image.get(2, 0, 1)).toBe(s.image.get(2, 9, 1));
    expect(Array.from(sample.boxes.data)).toEqual([7, 1, 9, 4]);
  });
  test("rotate90 k=1: pixel (x, y) -> (H-1-y, x), image becomes H x W", () => {
    const s = makeSample(patternImage(5, 3), pxBoxes([[0, 0, 1, 1]]), [0]);
    const { sample } = rotate90({ k: 1 }).apply(s, rng());
    expect(sample.image.shape).toEqual([5, 3, 3]);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 5; x++) expect(sample.image.get(x, 2 - y, 0)).toBe(s.image.get(y, x, 0));
    expect(Array.from(sample.boxes.data)).toEqual([2, 0, 3, 1]);
  });
  test("bad k", () => {
    expectError(
      () => rotate90({ k: 5 as never }),
      "INVALID_ARGUMENT",
      /^rotate90: options.k must be 0, 1, 2, 3 or "random"; got 5/,
    );
  });
  // Boxes are float32: W − (W − x) is exact when x is on a 1/256 px grid (any annotation tool's
  // precision) and within one float32 ulp of W otherwise.
  const quantize = (s: Sample): Sample =>
    makeSample(
      s.image,
      pxBoxes(
        Array.from({ length: s.boxes.length }, (_, i) =>
          Array.from(s.boxes.data.subarray(i * 4, i * 4 + 4), (v) => Math.round(v * 256) / 256),
        ),
      ),
      s.labels,
    );
  const ulp = (s: Sample) => 2 ** -23 * Math.max(...(s.image.shape as number[]));
  ftest.prop([arbSample({ channels: [1, 3, 4] })], { numRuns: 40 })(
    "flip∘flip is the identity on image and boxes",
    (s) => {
      for (const f of [horizontalFlip(), verticalFlip()]) {
        same(compose([f, f]).apply(s, rng()).sample, s, ulp(s));
        same(compose([f, f]).apply(quantize(s), rng()).sample, quantize(s));
      }
    },
  );
  ftest.prop([arbSample({ float: true })], { numRuns: 40 })(
    "rotate90⁴ is the identity on image and boxes (float32 too)",
    (s) => {
      const r = rotate90({ k: 1 });
      same(compose([r, r, r, r]).apply(s, rng()).sample, s, 2 * ulp(s));
      same(compose([r, r, r, r]).apply(quantize(s), rng()).sample, quantize(s));
      same(compose([rotate90({ k: 3 }), r]).apply(quantize(s), rng()).sample, quantize(s));
    },
  );
});

describe("crops", () => {
  test("fixed crop shifts, clips and reports boxes", () => {
    const s = makeSample(
      patternImage(10, 10),
      pxBoxes([
        [1, 1, 4, 4],
        [6, 6, 9, 9],
        [0, 0, 10, 10],
      ]),
      [1, 2, 3],
    );
    const r = crop({ x: 2, y: 2, width: 4, height: 4, filter: { minVisibility: 0.2 } }).apply(s, rng());
    expect(Array.from(r.sample.boxes.data)).toEqual([0, 0, 2, 2]);
    expect(Array.from(r.sample.labels)).toEqual([1]);
    expect(r.report.dropped.map((d) => [d.index, d.reason])).toEqual([
      [1, "outside"],
      [2, "min-visibility"],
    ]);
    expect(r.sample.image.get(0, 0, 2)).toBe(s.image.get(2, 2, 2));
  });
  test("ssdCrop keeps only boxes whose centre is inside, reports the others", () => {
    const s = makeSample(
      patternImage(100, 100),
      pxBoxes([
        [0, 0, 10, 10],
        [40, 40, 60, 60],
        [90, 90, 100, 100],
      ]),
      [0, 1, 2],
    );
    let seen = false;
    for (let seed = 0; seed < 40; seed++) {
      const r = ssdCrop({ choices: [0.1] }).apply(s, createRng(seed));
      expectValidBoxes(r.sample);
      for (const d of r.report.dropped) expect(d.reason).toBe("center-outside");
      if (r.report.dropped.length > 0) seen = true;
      expect(r.sample.boxes.length + r.report.dropped.length).toBe(3);
    }
    expect(seen).toBe(true);
  });
  test("ssdCrop 'none' leaves the sample unchanged", () => {
    const s = makeSample(patternImage(9, 9), pxBoxes([[1, 1, 2, 2]]), [0]);
    same(ssdCrop({ choices: ["none"] }).apply(s, rng()).sample, s);
  });
  ftest.prop([arbSample({ maxSide: 32 }), fc.integer()], { numRuns: 80 })(
    "ssdCrop never yields a zero-area box",
    (s, seed) => {
      expectValidBoxes(ssdCrop({ choices: [0, 0.1, 0.5, 0.9] }).apply(s, createRng(seed)).sample);
    },
  );
  test("expand keeps every box and fills with the mean", () => {
    const s = makeSample(uint8Image(new Uint8Array(4 * 4 * 3).fill(90), 4, 4), pxBoxes([[0, 0, 4, 4]]), [5]);
    const r = expand({ ratio: [3, 3] }).apply(s, rng());
    expect(r.sample.image.shape).toEqual([12, 12, 3]);
    expect(r.sample.image.data.every((v) => v === 90)).toBe(true);
    const rec = r.sample.records[0];
    if (rec?.kind !== "od.shift") throw new Error("no record");
    expect(Array.from(r.sample.boxes.data)).toEqual([rec.dx, rec.dy, rec.dx + 4, rec.dy + 4]);
  });
});

describe("fill values", () => {
  test("a fixed fill must lie in the image's range: bytes [0, 255], floats [0, 1]", () => {
    const bytes = makeSample(patternImage(4, 4), pxBoxes([[0, 0, 4, 4]]), [1]);
    expectError(
      () => expand({ ratio: [2, 2], fill: [7, 200, 300] }).apply(bytes, rng()),
      "INVALID_ARGUMENT",
      /^expand: options.fill\[2\] is 300, outside the "0-255" range \[0, 255\] of the image/,
    );
    const floats = makeSample(toUnitImage(patternImage(4, 4)), pxBoxes([[0, 0, 4, 4]]), [1]);
    expectError(
      () => translate({ fraction: [0.5, 0.5], fill: [124, 116, 104] }).apply(floats, rng()),
      "INVALID_ARGUMENT",
      /^translate: options.fill\[0\] is 124, outside the "0-1" range \[0, 1\] of the image; give \[0, 1\] values/,
    );
    const out = expand({ ratio: [2, 2], fill: [0.25, 0.5, 1] }).apply(floats, rng()).sample.image;
    expect(out.range).toBe("0-1");
    let filled = 0;
    for (let i = 0; i < out.data.length; i += 3)
      if (out.data[i] === 0.25 && out.data[i + 1] === 0.5 && out.data[i + 2] === 1) filled++;
    expect(filled).toBe(8 * 8 - 4 * 4); // the 4x4 image somewhere in the 8x8 canvas, the rest filled
  });
});

describe("compose", () => {
  const pipeline = compose([
    expand({ p: 0.5, ratio: [1, 2] }),
    ssdCrop(),
    horizontalFlip({ p: 0.5 }),
    rotate90({ p: 0.3 }),
    translate({ p: 0.5, fraction: [0.3, 0.3], filter: { minVisibility: 0.3 } }),
    randomScale({ p: 0.5, scale: [0.5, 1.5], aspect: [0.8, 1.25], method: "area" }),
    letterbox({ width: 24, height: 16, filter: { minArea: 2, minWidth: 1, minHeight: 1 } }),
  ]);
  ftest.prop([arbSample(), fc.integer()], { numRuns: 80 })(
    "boxes stay inside the image and valid after any composed pipeline",
    (s, seed) => {
      const { sample, report } = pipeline.apply(s, createRng(seed));
      expectValidBoxes(sample);
      expect(sample.image.shape).toEqual([16, 24, s.image.shape[2]]);
      // every input box is either kept or reported
      expect(report.kept.length + report.dropped.length).toBe(s.boxes.length);
      const seen = new Set([...report.kept, ...report.dropped.map((d) => d.index)]);
      expect(seen.size).toBe(s.boxes.length);
      for (let j = 0; j < sample.labels.length; j++)
        expect(sample.labels[j]).toBe(s.labels[report.kept[j] as number]);
    },
  );
  ftest.prop([arbSample(), fc.integer()], { numRuns: 30 })(
    "the same seed gives the same bytes",
    (s, seed) => {
      same(pipeline.apply(s, createRng(seed)).sample, pipeline.apply(s, createRng(seed)).sample);
    },
  );
  test("an empty sample passes through every transform", () => {
    const s = emptySample(12, 9);
    const all = compose([
      pipeline,
      crop({ x: 1, y: 1, width: 5, height: 5 }),
      verticalFlip(),
      resize({ width: 7, height: 3 }),
    ]);
    for (let seed = 0; seed < 10; seed++) {
      const r = all.apply(s, createRng(seed));
      expect(r.sample.boxes.length).toBe(0);
      expect(r.sample.image.shape).toEqual([3, 7, 3]);
    }
  });
  test("p = 0 skips a step and reports it as not applied", () => {
    const s = emptySample();
    const r = compose([horizontalFlip({ p: 0 })]).apply(s, rng());
    expect(r.report.steps).toEqual([{ transform: "horizontalFlip", applied: false, dropped: 0, added: 0 }]);
    expectError(
      () => horizontalFlip({ p: 2 }),
      "INVALID_ARGUMENT",
      /^horizontalFlip: options.p must be a number in \[0, 1\]; got 2/,
    );
  });
});

describe("lazy shifts and flips", () => {
  // Shifts and flips hand a lazy view to the next step; running each step on a materialised copy of
  // the previous output must give the same bytes.
  const eager = (s: Sample): Sample => {
    const im = s.image;
    const [h, w, c] = im.shape as [number, number, number];
    const copy: Image =
      im.range === "0-255" ? uint8Image(im.data.slice(), w, h, c) : unitImage(im.data.slice(), w, h, c);
    return makeSample(copy, s.boxes, s.labels);
  };
  const steps = [
    expand({ p: 0.7, ratio: [1, 3], fill: "zero" }),
    expand({ p: 0.5, ratio: [1, 2], fill: [7, 200, 255] }),
    expand({ p: 0.3, ratio: [1, 2], fill: "mean" }),
    ssdCrop(),
    crop({ x: -3, y: 2, width: 11, height: 9, p: 0.3 }),
    translate({ p: 0.5, fraction: [0.5, 0.5], fill: [9, 9, 9] }),
    horizontalFlip({ p: 0.5 }),
    verticalFlip({ p: 0.5 }),
    letterbox({ width: 21, height: 13 }),
  ];
  ftest.prop([arbSample({ channels: [3] }), fc.integer()], { numRuns: 60 })(
    "a composed chain gives the bytes of the step-by-step materialised chain",
    (s, seed) => {
      const a = compose(steps).apply(s, createRng(seed)).sample;
      const rng = createRng(seed);
      let cur = s;
      for (const t of steps) cur = eager(t.apply(cur, rng).sample);
      same(a, cur);
    },
  );
  ftest.prop([arbSample({ channels: [1, 3, 4] }), fc.integer()], { numRuns: 40 })(
    "reading the image of a lazy step gives the materialised pixels",
    (s, seed) => {
      const t = compose([
        expand({ ratio: [1, 2] }),
        horizontalFlip(),
        crop({ x: 1, y: -1, width: 5, height: 4 }),
      ]);
      const out = t.apply(s, createRng(seed)).sample;
      const r = createRng(seed);
      let cur = s;
      for (const f of [
        expand({ ratio: [1, 2] }),
        horizontalFlip(),
        crop({ x: 1, y: -1, width: 5, height: 4 }),
      ])
        cur = eager(f.apply(cur, r).sample);
      same(out, cur);
      for (let y = 0; y < 4; y++)
        for (let x = 0; x < 5; x++) expect(out.image.get(y, x, 0)).toBe(cur.image.get(y, x, 0));
    },
  );
});

describe("oneOf", () => {
  const s = () => makeSample(patternImage(6, 4), pxBoxes([[1, 1, 4, 3]]), [2]);
  const flips = () => [horizontalFlip({ p: 1 }), verticalFlip({ p: 1 })];
  const bytes = (x: Sample) => Array.from(x.image.data).join(",");
  test("a weight of 0 is never chosen", () => {
    const only = oneOf(flips(), { weights: [0, 1] });
    for (let seed = 0; seed < 20; seed++)
      same(
        only.apply(s(), createRng(seed)).sample,
        verticalFlip({ p: 1 }).apply(s(), createRng(seed)).sample,
      );
  });
  test("uniform by default: each transform is chosen in 40 draws", () => {
    const either = oneOf(flips());
    const h = bytes(horizontalFlip({ p: 1 }).apply(s(), rng()).sample);
    const v = bytes(verticalFlip({ p: 1 }).apply(s(), rng()).sample);
    expect(h).not.toBe(v);
    const seen = new Set<string>();
    const r = rng();
    for (let k = 0; k < 40; k++) seen.add(bytes(either.apply(s(), r).sample));
    expect([...seen].sort()).toEqual([h, v].sort());
  });
  test("an empty list and bad weights are typed errors", () => {
    expectError(() => oneOf([]), "INVALID_ARGUMENT", /^oneOf: transforms must be a non-empty array; got/);
    expectError(
      () => oneOf(flips(), { weights: [1, -1] }),
      "INVALID_ARGUMENT",
      /^oneOf: options.weights must be 2 non-negative numbers with a positive sum; got/,
    );
    expectError(() => oneOf(flips(), { weights: [0, 0] }), "INVALID_ARGUMENT", /^oneOf: options.weights/);
    expectError(() => oneOf(flips(), { weights: [1] }), "INVALID_ARGUMENT", /^oneOf: options.weights/);
  });
  ftest.prop([arbSample(), fc.integer()], { numRuns: 30 })(
    "the same seed gives the same bytes",
    (x, seed) => {
      const t = oneOf([ssdCrop(), horizontalFlip(), letterbox({ width: 10, height: 8 })], {
        weights: [1, 2, 1],
      });
      same(t.apply(x, createRng(seed)).sample, t.apply(x, createRng(seed)).sample);
    },
  );
});

describe("seeded first draws", () => {
  test("horizontalFlip({ p: 0.5 }) on a fresh createRng(seed) fires for about half of 400 seeds", () => {
    // With the state seeded by the integer itself (pure-rand's xoroshiro128plus(seed)), the first draw
    // is ~1 for every seed >= 0 and a p = 0.5 transform never fired on it.
    const s = makeSample(patternImage(8, 6), pxBoxes([[1, 1, 4, 3]]), [0]);
    let fired = 0;
    for (let seed = 0; seed < 400; seed++) {
      if (horizontalFlip({ p: 0.5 }).apply(s, createRng(seed)).report.steps[0]?.applied) fired++;
    }
    expect(fired).toBeGreaterThan(160);
    expect(fired).toBeLessThan(240);
  });
});
