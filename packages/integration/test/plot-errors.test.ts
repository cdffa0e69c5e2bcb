import { isOdError } from "@od/boxes";
import { barChartSvg, PlotError } from "@od/plot";
import { describe, expect, test } from "vitest";

// @od/plot has no dependencies, so its error class cannot extend @od/boxes' OdError: it has OdError's
// shape instead, and this checks that od's one matcher recognises it.
describe("PlotError", () => {
  test("is matched by isOdError with its code, and carries the function in its details", () => {
    let caught: unknown;
    try {
      barChartSvg({ x: { label: "class" }, y: { label: "boxes" }, bars: [{ label: "a", value: -1 }] });
    } catch (e) {
      caught = e;
    }
    expect(isOdError(caught, "INVALID_ARGUMENT")).toBe(true);
    expect(isOdError(caught, "SHAPE_MISMATCH")).toBe(false);
    expect(caught).toBeInstanceOf(Error);
    expect((caught as PlotError).name).toBe("PlotError");
    expect((caught as PlotError).message).toBe(
      "barChartSvg: bars[0].value must be a finite number >= 0; got -1",
    );
    expect((caught as PlotError).details).toMatchObject({ fn: "barChartSvg", index: 0, value: -1 });
    const cause = new Error("inner");
    expect(new PlotError("SHAPE_MISMATCH", "m", { cause }).cause).toBe(cause);
  });
});
