import { BoxesError, type BoxesErrorCode, describeValue, isOdError, OdError } from "@od/boxes";
import { describe, expect, test } from "vitest";

const CODES: readonly BoxesErrorCode[] = [
  "FORMAT_MISMATCH",
  "UNITS_MISMATCH",
  "NOT_BOXES",
  "INVALID_BOX",
  "SHAPE_MISMATCH",
  "INVALID_ARGUMENT",
  "IO_FAILED",
];

describe("OdError / BoxesError / isOdError", () => {
  test.each(CODES)("%s: recognised by code, name and details kept", (code) => {
    const cause = new Error("root");
    const e = new BoxesError(code, `fn: ${code}`, { cause, details: { fn: "fn" } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("BoxesError");
    expect(e.code).toBe(code);
    expect(e.message).toBe(`fn: ${code}`);
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ fn: "fn" });
    expect(isOdError(e)).toBe(true);
    expect(isOdError(e, code)).toBe(true);
    for (const other of CODES) if (other !== code) expect(isOdError(e, other)).toBe(false);
  });

  test("errors from another installed copy (no shared class) are recognised", () => {
    const foreign = Object.assign(new Error("x"), { isOdError: true, code: "NOT_BOXES" });
    expect(isOdError(foreign, "NOT_BOXES")).toBe(true);
  });

  test("non-od values are not od errors", () => {
    for (const v of [
      null,
      undefined,
      1,
      "NOT_BOXES",
      new Error("x"),
      { code: "NOT_BOXES" },
      { isOdError: true },
    ]) {
      expect(isOdError(v)).toBe(false);
    }
  });

  test("OdError subclasses of other packages work alike", () => {
    class DataError extends OdError<"BAD_FILE"> {}
    const e = new DataError("BAD_FILE", "load: bad");
    expect(isOdError(e, "BAD_FILE")).toBe(true);
    expect(e.details).toEqual({});
    expect(e.cause).toBeUndefined();
  });
});

describe("describeValue", () => {
  test.each([
    ["x", '"x"'],
    [Number.NaN, "NaN"],
    [undefined, "undefined"],
    [[1, 2, 3], "[1, 2, 3]"],
    [new Float32Array([1, 2]), "Float32Array(2)[1, 2]"],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9], "[1, 2, 3, 4, 5, 6, 7, 8, ...]"],
    [{ a: 1 }, '{"a":1}'],
    [10n, "[object BigInt]"],
  ] as const)("%s -> %s", (v, s) => {
    expect(describeValue(v)).toBe(s);
  });
});
