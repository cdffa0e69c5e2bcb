import { fc, test } from "@fast-check/vitest";
import {
  BOX_FORMATS,
  boxes,
  convert,
  emptyBoxes,
  type LetterboxOptions,
  letterboxBoxes,
  letterboxRecord,
  toArray,
  unletterboxBoxes,
} from "@od/boxes";
import { arbBoxes, arbImageSize } from "@od/boxes/arbitraries";
import { describe, expect } from "vitest";
import { caught, maxAbsDiff } from "./helpers.js";

describe("letterboxRecord", () => {
  // The recipe: a camera frame of 720x1280 (rotated 90°: 720 wide, 1280 tall) for a model that takes
  // 320x240 (width x height). Worked by hand below.
  const frame = { width: 720, height: 1280 };
  const canvas = { width: 320, height: 240 };

  test("recipe frame into the whole 320x240 canvas: s = min(320/720, 240/1280) = 0.1875", () => {
    const r = letterboxRecord(frame, canvas);
    expect(r.resized).toEqual({ width: 135, height: 240 });
    expect(r.offset).toEqual({ x: 92, y: 0 }); // floor((320 - 135) / 2)
    expect(r.scaleX).toBe(0.1875);
    expect(r.scaleY).toBe(0.1875);
    // the whole frame lands on the resized area; a centred box stays centred
    expect(toArray(letterboxBoxes(boxes([[0, 0, 720, 1280]], "xyxy", "px"), r))).toEqual([[92, 0, 227, 240]]);
    expect(toArray(letterboxBoxes(boxes([[360, 640, 72, 128]], "cxcywh", "px"), r))).toEqual([
      [159.5, 120, 13.5, 24],
    ]);
  });

  test("recipe frame into a 224x224 area of the canvas, aspect kept: s = min(224/720, 224/1280) = 0.175", () => {
    const r = letterboxRecord(frame, canvas, { fit: { width: 224, height: 224 } });
    expect(r.resized).toEqual({ width: 126, height: 224 });
    expect(r.offset).toEqual({ x: 97, y: 8 });
    expect(toArray(letterboxBoxes(boxes([[0, 0, 720, 1280]], "xyxy", "px"), r))).toEqual([[97, 8, 223, 232]]);
  });

  test("recipe as written: stretched to 224x224, inscribed in the 320x240 canvas", () => {
    const r = letterboxRecord(frame, canvas, { fit: { width: 224, height: 224 }, keepAspectRatio: false });
    expect(r.resized).toEqual({ width: 224, height: 224 });
    expect(r.offset).toEqual({ x: 48, y: 8 });
    expect(r.scaleX).toBe(224 / 720);
    expect(r.scaleY).toBe(224 / 1280);
    const got = letterboxBoxes(boxes([[0, 0, 720, 1280]], "xyxy", "px"), r);
    expect(maxAbsDiff(got.data, [48, 8, 272, 232])).toBeLessThan(1e-4);
  });

  test("640x480 into 300x300: resized 300x225, offset (0, 37)", () => {
    const r = letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 });
    expect(r).toEqual({
      kind: "od.letterbox",
      source: { width: 640, height: 480 },
      target: { width: 300, height: 300 },
      resized: { width: 300, height: 225 },
      offset: { x: 0, y: 37 },
      scaleX: 300 / 640,
      scaleY: 225 / 480,
    });
    const b = boxes(
      [
        [0, 0, 640, 480],
        [320, 240, 320, 240],
        [64, 48, 128, 96],
      ],
      "xyxy",
      "px",
    );
    expect(toArray(letterboxBoxes(b, r))).toEqual([
      [0, 37, 300, 262],
      [150, 149.5, 150, 149.5],
      [30, 59.5, 60, 82],
    ]);
    expect(toArray(unletterboxBoxes(letterboxBoxes(b, r), r))).toEqual(toArray(b));
  });

  test("align top-left, no upscaling, odd padding", () => {
    expect(
      letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 }, { align: "top-left" }).offset,
    ).toEqual({
      x: 0,
      y: 0,
    });
    const small = letterboxRecord(
      { width: 100, height: 50 },
      { width: 300, height: 300 },
      { upscale: false },
    );
    expect(small.resized).toEqual({ width: 100, height: 50 });
    expect(small.offset).toEqual({ x: 100, y: 125 });
    expect(letterboxRecord({ width: 10, height: 10 }, { width: 5, height: 4 }).offset).toEqual({
      x: 0,
      y: 0,
    });
    expect(letterboxRecord({ width: 10, height: 10 }, { width: 7, height: 4 }).offset).toEqual({
      x: 1,
      y: 0,
    });
  });

  test("extreme aspect ratio keeps at least 1 px", () => {
    const r = letterboxRecord({ width: 10000, height: 1 }, { width: 100, height: 100 });
    expect(r.resized).toEqual({ width: 100, height: 1 });
  });

  test("errors", () => {
    expect(caught(() => letterboxRecord({ width: 0, height: 1 }, { width: 1, height: 1 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'letterboxRecord: source must be { width > 0, height > 0 } (finite); got {"width":0,"height":1}',
    });
    expect(caught(() => letterboxRecord({ width: 1.5, height: 1 }, { width: 1, height: 1 }))).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'letterboxRecord: source must have integer width and height (pixels); got {"width":1.5,"height":1}',
    });
    expect(
      caught(() =>
        letterboxRecord({ width: 10, height: 10 }, { width: 5, height: 5 }, { fit: { width: 6, height: 5 } }),
      ),
    ).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'letterboxRecord: options.fit {"width":6,"height":5} must fit inside target {"width":5,"height":5}',
    });
    expect(
      caught(() =>
        letterboxRecord({ width: 10, height: 10 }, { width: 5, height: 5 }, { align: "middle" as never }),
      ),
    ).toMatchObject({
      code: "INVALID_ARGUMENT",
      message: 'letterboxRecord: options.align must be "center" or "top-left"; got "middle"',
    });
  });
});

describe("letterboxBoxes / unletterboxBoxes", () => {
  const r = letterboxRecord({ width: 640, height: 480 }, { width: 300, height: 300 });

  test("every format maps like xyxy; empty input", () => {
    const b = boxes([[64, 48, 128, 96]], "xyxy", "px");
    for (const f of BOX_FORMATS) {
      expect(
        maxAbsDiff(convert(letterboxBoxes(convert(b, f), r), "xyxy").data, letterboxBoxes(b, r).data),
      ).toBe(0);
    }
    expect(letterboxBoxes(emptyBoxes("xyxy", "px"), r).length).toBe(0);
  });

  test("runtime errors when types are bypassed", () => {
    const rel = boxes([[0, 0, 1, 1]], "xyxy", "rel");
    expect(caught(() => letterboxBoxes(rel as never, r))).toMatchObject({
      code: "UNITS_MISMATCH",
      message: "letterboxBoxes: b must be in px units; got rel",
    });
    expect(
      caught(() => unletterboxBoxes(boxes([[0, 0, 1, 1]], "xyxy", "px"), { kind: "od.letterbox" } as never)),
    ).toMatchObject({
      code: "INVALID_ARGUMENT",
      message:
        'unletterboxBoxes: record must come from letterboxRecord() (kind "od.letterbox", positive finite scaleX/scaleY, finite offset); got {"kind":"od.letterbox"}',
    });
  });

  const opts: fc.Arbitrary<LetterboxOptions> = fc.record(
    {
      align: fc.constantFrom("center" as const, "top-left" as const),
      upscale: fc.boolean(),
      keepAspectRatio: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  // Network inputs up to 640 px, images of any size and aspect ratio up to 4096 px.
  const setup = fc
    .record({
      source: arbImageSize({ maxWidth: 4096, maxHeight: 4096 }),
      target: arbImageSize({ minWidth: 32, maxWidth: 640, minHeight: 32, maxHeight: 640 }),
      options: opts,
      format: fc.constantFrom(...BOX_FORMATS),
    })
    .map((s) => ({ ...s, record: letterboxRecord(s.source, s.target, s.options) }));

  test.prop([
    setup.chain((s) =>
      arbBoxes({ format: s.format, units: "px", image: s.target, maxLength: 20 }).map((b) => ({ ...s, b })),
    ),
  ])("letterbox∘unletterbox = identity to 1e-4 px (canvas boxes, e.g. predictions)", ({ record, b }) => {
    expect(maxAbsDiff(letterboxBoxes(unletterboxBoxes(b, record), record).data, b.data)).toBeLessThanOrEqual(
      1e-4,
    );
  });

  // Source-space error = canvas float32 rounding / scale, so it is bounded in canvas px everywhere and
  // in source px when the image is at most 4x the network input (images <= 1024 px, where a float32 ulp is 6e-5, and inputs >= 320 px).
  test.prop([
    setup.chain((s) =>
      arbBoxes({ format: s.format, units: "px", image: s.source, maxLength: 20 }).map((b) => ({ ...s, b })),
    ),
  ])("unletterbox∘letterbox = identity to 1e-4 canvas px (any sizes)", ({ record, b }) => {
    const back = unletterboxBoxes(letterboxBoxes(b, record), record).data;
    const s = Math.min(record.scaleX, record.scaleY);
    expect(maxAbsDiff(back, b.data) * Math.min(1, s)).toBeLessThanOrEqual(1e-4);
  });

  test.prop(
    [
      fc
        .record({
          source: arbImageSize({ minWidth: 64, maxWidth: 1024, minHeight: 64, maxHeight: 1024 }),
          target: arbImageSize({ minWidth: 320, maxWidth: 640, minHeight: 320, maxHeight: 640 }),
          format: fc.constantFrom(...BOX_FORMATS),
        })
        .chain((s) =>
          arbBoxes({ format: s.format, units: "px", image: s.source, maxLength: 20 }).map((b) => ({
            record: letterboxRecord(s.source, s.target),
            b,
          })),
        ),
    ],
    { numRuns: 300 },
  )("unletterbox∘letterbox = identity to 1e-4 source px for realistic sizes", ({ record, b }) => {
    expect(maxAbsDiff(unletterboxBoxes(letterboxBoxes(b, record), record).data, b.data)).toBeLessThanOrEqual(
      1e-4,
    );
  });

  test.prop([
    setup.chain((s) =>
      arbBoxes({ format: "xyxy", units: "px", image: s.source, maxLength: 10 }).map((b) => ({ ...s, b })),
    ),
  ])("boxes inside the source land inside the resized area of the canvas", ({ record, b }) => {
    const c = letterboxBoxes(b, record).data;
    const eps = 1e-3;
    for (let s = 0; s < c.length; s += 4) {
      expect(c[s]).toBeGreaterThanOrEqual(record.offset.x - eps);
      expect(c[s + 1]).toBeGreaterThanOrEqual(record.offset.y - eps);
      expect(c[s + 2]).toBeLessThanOrEqual(record.offset.x + record.resized.width + eps);
      expect(c[s + 3]).toBeLessThanOrEqual(record.offset.y + record.resized.height + eps);
    }
    expect(record.offset.x + record.resized.width).toBeLessThanOrEqual(record.target.width);
    expect(record.offset.y + record.resized.height).toBeLessThanOrEqual(record.target.height);
  });
});
