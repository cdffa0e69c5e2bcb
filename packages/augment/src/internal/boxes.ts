import { BOXES_KIND, type Boxes, describeValue } from "@od/boxes";
import { fail } from "./check.js";

/** Checks that `b` is `Boxes<'xyxy','px'>` (tags and data). */
export function checkXyxyPx(fn: string, arg: string, b: unknown): asserts b is Boxes<"xyxy", "px"> {
  const r = b as Partial<Boxes> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    r.kind !== BOXES_KIND ||
    !(r.data instanceof Float32Array) ||
    r.data.length % 4 !== 0
  ) {
    fail("INVALID_BOXES", fn, `${arg} must be Boxes (from boxes() of @od/boxes); got ${describeValue(b)}`, {
      arg,
    });
  }
  if (r.format !== "xyxy") {
    fail("INVALID_BOXES", fn, `${arg} must be xyxy boxes; got ${String(r.format)}; convert() them first`, {
      arg,
      expected: "xyxy",
      actual: r.format,
    });
  }
  if (r.units !== "px") {
    fail("INVALID_BOXES", fn, `${arg} must be in px; got ${String(r.units)}; toPx() them first`, {
      arg,
      expected: "px",
      actual: r.units,
    });
  }
}
