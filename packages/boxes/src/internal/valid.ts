import { validateBoxes } from "../construct.js";
import { describeValue } from "../errors.js";
import type { Boxes } from "../types.js";
import { fail } from "./check.js";
import { rowToXyxy } from "./xyxy.js";

/**
 * Entry check of the functions that compute with coordinates (the IoU family, NMS): every row must be
 * finite and not inverted (x1 ≤ x2, y1 ≤ y2 in xyxy), as `boxes()` and `validateBoxes()` require.
 * Boxes made with `unsafeBoxes` skip that validation; here the first bad row is a typed error instead
 * of an IoU of 0 (NaN compares false), a kept NaN box, or a NaN GIoU. Zero-area rows stay valid.
 * One O(N) pass; the reason comes from `validateBoxes`, the one definition of a valid box.
 * @throws BoxesError `INVALID_BOX` naming the function, argument, row index, value and reason.
 */
export function checkCoords(fn: string, arg: string, b: Boxes): void {
  const d = b.data;
  const xy = new Float64Array(4);
  for (let i = 0, s = 0; i < b.length; i++, s += 4) {
    rowToXyxy(d, s, b.format, xy, 0);
    const x1 = xy[0]!;
    const y1 = xy[1]!;
    const x2 = xy[2]!;
    const y2 = xy[3]!;
    if (x1 <= x2 && y1 <= y2 && Number.isFinite(x1 + y1 + x2 + y2)) continue;
    const value = Array.from(d.subarray(s, s + 4));
    const issue = validateBoxes(value, b.format, b.units, { policy: "drop", allowEmpty: true }).issues[0];
    const reason = issue?.reason ?? "non-finite";
    fail(
      "INVALID_BOX",
      fn,
      `${arg} box ${i} ${describeValue(value)} (${b.format} ${b.units}) is ${reason}; boxes that may hold such rows must go through boxes() or validateBoxes() first`,
      { arg, index: i, value, reason },
    );
  }
}
