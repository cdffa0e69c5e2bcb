import { BOXES_KIND, type Boxes } from "@od/boxes";
import { fail } from "./fail.js";

/** Checks that `b` is `Boxes<'xyxy','px'>` with a Float32Array of length 4N. */
export function checkBoxesLike(fn: string, arg: string, b: Boxes): void {
  if (
    typeof b !== "object" ||
    b === null ||
    b.kind !== BOXES_KIND ||
    !(b.data instanceof Float32Array) ||
    b.data.length !== b.length * 4
  ) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be Boxes (xyxy px)`);
  }
  if (b.format !== "xyxy" || b.units !== "px")
    fail("INVALID_ARGUMENT", fn, `${arg} must be xyxy px; got ${b.format} ${b.units}`);
}
