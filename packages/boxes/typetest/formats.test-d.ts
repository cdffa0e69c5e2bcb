// What must NOT compile (each `@ts-expect-error` must be used, or tsc fails), and what the return
// types are. Checked by `npx tsc -p tsconfig.test.json`.
import {
  area,
  type Box,
  type Boxes,
  type BoxesJSON,
  type BoxFormat,
  box,
  boxArea,
  boxAt,
  boxes,
  boxIou,
  clip,
  clipBox,
  concat,
  convert,
  convertBox,
  decode,
  emptyBoxes,
  encode,
  flipHorizontal,
  fromBoxList,
  fromJSON,
  iou,
  isOdError,
  type LetterboxRecord,
  letterboxBoxes,
  letterboxRecord,
  type OdError,
  scale,
  select,
  toJSON,
  toPx,
  toPxBox,
  toRel,
  toRelBox,
  translate,
  unletterboxBoxes,
  unsafeBoxes,
  type ValidationResult,
  validateBoxes,
} from "@od/boxes";
import { arbBox, arbBoxes } from "@od/boxes/arbitraries";
import type { Arbitrary } from "fast-check";
import { expectTypeOf } from "vitest";

const size = { width: 640, height: 480 };
const gt = boxes([[10, 20, 50, 80]], "xyxy", "px");
const c = convert(gt, "cxcywh");
const r = toRel(gt, size);
const priors = emptyBoxes("cxcywh", "rel");

// ---- return types ----------------------------------------------------------------------------
expectTypeOf(gt).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(c).toEqualTypeOf<Boxes<"cxcywh", "px">>();
expectTypeOf(r).toEqualTypeOf<Boxes<"xyxy", "rel">>();
expectTypeOf(toPx(r, size)).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(convert(r, "yxyx")).toEqualTypeOf<Boxes<"yxyx", "rel">>();
expectTypeOf(area(gt)).toEqualTypeOf<Float32Array>();
expectTypeOf(clip(c, size)).toEqualTypeOf<Boxes<"cxcywh", "px">>();
expectTypeOf(flipHorizontal(r)).toEqualTypeOf<Boxes<"xyxy", "rel">>();
expectTypeOf(translate(c, 1, 2)).toEqualTypeOf<Boxes<"cxcywh", "px">>();
expectTypeOf(scale(gt, 2)).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(select(gt, [0])).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(concat([gt, gt], "xyxy", "px")).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(unsafeBoxes(new Float32Array(4), "xywh", "rel")).toEqualTypeOf<Boxes<"xywh", "rel">>();
expectTypeOf(validateBoxes([], "yxyx", "px")).toEqualTypeOf<ValidationResult<"yxyx", "px">>();
expectTypeOf(fromJSON(toJSON(gt), "xyxy", "px")).toEqualTypeOf<Boxes<"xyxy", "px">>();
expectTypeOf(toJSON(gt)).toEqualTypeOf<BoxesJSON>();
expectTypeOf(encode(toRel(gt, size), priors)).toEqualTypeOf<Float32Array>();
expectTypeOf(decode(new Float32Array(0), priors)).toEqualTypeOf<Boxes<"cxcywh", "rel">>();
expectTypeOf(iou(gt, gt)).toEqualTypeOf<Float32Array>();
const rec = letterboxRecord(size, { width: 300, height: 300 });
expectTypeOf(rec).toEqualTypeOf<LetterboxRecord>();
expectTypeOf(letterboxBoxes(c, rec)).toEqualTypeOf<Boxes<"cxcywh", "px">>();
expectTypeOf(unletterboxBoxes(gt, rec)).toEqualTypeOf<Boxes<"xyxy", "px">>();
// a widened format is still usable where any format is accepted
const anyFormat: Boxes<BoxFormat, "px"> = gt;
expectTypeOf(convert(anyFormat, "xyxy")).toEqualTypeOf<Boxes<"xyxy", "px">>();

// single boxes
const one = box([10, 20, 50, 80], "xyxy", "px");
expectTypeOf(one).toEqualTypeOf<Box<"xyxy", "px">>();
expectTypeOf(boxAt(c, 0)).toEqualTypeOf<Box<"cxcywh", "px">>();
expectTypeOf(convertBox(one, "xywh")).toEqualTypeOf<Box<"xywh", "px">>();
expectTypeOf(toRelBox(one, size)).toEqualTypeOf<Box<"xyxy", "rel">>();
expectTypeOf(toPxBox(toRelBox(one, size), size)).toEqualTypeOf<Box<"xyxy", "px">>();
expectTypeOf(clipBox(one, size)).toEqualTypeOf<Box<"xyxy", "px">>();
expectTypeOf(boxArea(one)).toEqualTypeOf<number>();
expectTypeOf(boxIou(one, one)).toEqualTypeOf<number>();
expectTypeOf(fromBoxList([one], "xyxy", "px")).toEqualTypeOf<Boxes<"xyxy", "px">>();

// arbitraries
expectTypeOf(arbBoxes({ format: "cxcywh", units: "rel" })).toEqualTypeOf<Arbitrary<Boxes<"cxcywh", "rel">>>();
expectTypeOf(arbBox({ format: "yxyx", units: "px" })).toEqualTypeOf<Arbitrary<Box<"yxyx", "px">>>();

// errors narrow by code
const e: unknown = new Error("x");
if (isOdError(e, "FORMAT_MISMATCH")) expectTypeOf(e).toEqualTypeOf<OdError<"FORMAT_MISMATCH">>();

// ---- format mix-ups --------------------------------------------------------------------------
// @ts-expect-error formats differ
iou(gt, c);
// @ts-expect-error a cxcywh array is not an xyxy array
const bad: Boxes<"xyxy", "px"> = c;
// @ts-expect-error yxyx is not xyxy either
const bad2: Boxes<"xyxy", "px"> = convert(gt, "yxyx");
// @ts-expect-error concat needs every part in the named format
concat([gt, c], "xyxy", "px");
// @ts-expect-error unknown format
convert(gt, "xyhw");
// @ts-expect-error unknown format at construction
boxes([[1, 2, 3, 4]], "ltrb", "px");

// ---- units mix-ups ---------------------------------------------------------------------------
// @ts-expect-error units differ
iou(gt, r);
// @ts-expect-error a rel array is not a px array
const bad3: Boxes<"xyxy", "px"> = r;
// @ts-expect-error toPx needs rel boxes
toPx(gt, size);
// @ts-expect-error toRel needs px boxes
toRel(r, size);
// @ts-expect-error letterbox works on px boxes (toPx first)
letterboxBoxes(r, rec);
// @ts-expect-error the inverse too
unletterboxBoxes(r, rec);
// @ts-expect-error unknown units
boxes([[1, 2, 3, 4]], "xyxy", "pixels");

// ---- box coding: priors must be cxcywh, in the units of the matched boxes ----------------------
// @ts-expect-error priors must be cxcywh
encode(gt, gt);
// @ts-expect-error priors in rel, matched boxes in px
encode(gt, priors);
// @ts-expect-error decode needs cxcywh priors
decode(new Float32Array(0), toRel(gt, size));
// @ts-expect-error decode returns cxcywh, not xyxy
const bad4: Boxes<"xyxy", "rel"> = decode(new Float32Array(0), priors);

// ---- single-box mix-ups ----------------------------------------------------------------------
// @ts-expect-error formats differ
boxIou(one, convertBox(one, "cxcywh"));
// @ts-expect-error units differ
boxIou(one, toRelBox(one, size));
// @ts-expect-error toPxBox needs a rel box
toPxBox(one, size);
// @ts-expect-error toRelBox needs a px box
toRelBox(toRelBox(one, size), size);
// @ts-expect-error a Box is not Boxes
area(one);
// @ts-expect-error Boxes are not a Box
boxArea(gt);
// @ts-expect-error fromBoxList needs the boxes' own format
fromBoxList([one], "cxcywh", "px");
// @ts-expect-error a cxcywh box is not an xyxy box
const bad5: Box<"xyxy", "px"> = convertBox(one, "cxcywh");

// ---- nothing is dropped silently: drop/clip only through validateBoxes (which reports) -------
// @ts-expect-error boxes() takes no policy
boxes([[1, 2, 3, 4]], "xyxy", "px", { policy: "drop" });
// @ts-expect-error fromJSON() takes no policy
fromJSON(toJSON(gt), "xyxy", "px", { policy: "clip" });

// ---- plain values are not Boxes --------------------------------------------------------------
// @ts-expect-error a Float32Array is not Boxes (use boxes() or unsafeBoxes())
area(new Float32Array(4));
// @ts-expect-error a BoxesJSON is not Boxes (use fromJSON())
convert(toJSON(gt), "xywh");

iou(gt, gt);
void [bad, bad2, bad3, bad4, bad5];
