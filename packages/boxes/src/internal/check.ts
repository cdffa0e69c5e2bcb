import { BoxesError, type BoxesErrorCode, describeValue } from "../errors.js";
import {
  BOX_FORMATS,
  BOX_KIND,
  BOX_UNITS,
  BOXES_KIND,
  type Box,
  type Boxes,
  type BoxFormat,
  type BoxUnits,
  type ImageSize,
} from "../types.js";

/** Throws a BoxesError with `fn: message` and details. */
export function fail(
  code: BoxesErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new BoxesError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}

/** Asserts `f` is a known format. */
export function checkFormat(fn: string, arg: string, f: unknown): asserts f is BoxFormat {
  if (!(BOX_FORMATS as readonly unknown[]).includes(f)) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be one of ${BOX_FORMATS.join(", ")}; got ${describeValue(f)}`, {
      arg,
      value: f,
    });
  }
}

/** Asserts `u` is a known unit. */
export function checkUnits(fn: string, arg: string, u: unknown): asserts u is BoxUnits {
  if (!(BOX_UNITS as readonly unknown[]).includes(u)) {
    fail("INVALID_ARGUMENT", fn, `${arg} must be "px" or "rel"; got ${describeValue(u)}`, { arg, value: u });
  }
}

/**
 * Run-time check that `b` is a well-formed Boxes value, optionally of a given format/units.
 * Cheap (O(1)): tags and lengths only, never the coordinates.
 */
export function checkBoxes(
  fn: string,
  arg: string,
  b: unknown,
  format?: BoxFormat,
  units?: BoxUnits,
): asserts b is Boxes {
  const r = b as Partial<Boxes> | null;
  if (typeof r !== "object" || r === null || r.kind !== BOXES_KIND) {
    fail("NOT_BOXES", fn, `${arg} must be Boxes (made by boxes() or fromJSON()); got ${describeValue(b)}`, {
      arg,
    });
  }
  if (!(r.data instanceof Float32Array) || typeof r.length !== "number" || r.data.length !== r.length * 4) {
    fail(
      "NOT_BOXES",
      fn,
      `${arg}.data must be a Float32Array of length 4 * length (${String(r.length)}); got ${describeValue(r.data)}`,
      { arg },
    );
  }
  checkFormat(fn, `${arg}.format`, r.format);
  checkUnits(fn, `${arg}.units`, r.units);
  if (format !== undefined && r.format !== format) {
    fail("FORMAT_MISMATCH", fn, `${arg} must be ${format} boxes; got ${r.format}`, {
      arg,
      expected: format,
      actual: r.format,
    });
  }
  if (units !== undefined && r.units !== units) {
    fail("UNITS_MISMATCH", fn, `${arg} must be in ${units} units; got ${r.units}`, {
      arg,
      expected: units,
      actual: r.units,
    });
  }
}

/**
 * Run-time check that `b` is a well-formed single Box (4 finite-typed numbers), optionally of a
 * given format/units.
 */
export function checkBox(
  fn: string,
  arg: string,
  b: unknown,
  format?: BoxFormat,
  units?: BoxUnits,
): asserts b is Box {
  const r = b as Partial<Box> | null;
  if (
    typeof r !== "object" ||
    r === null ||
    r.kind !== BOX_KIND ||
    !Array.isArray(r.coords) ||
    r.coords.length !== 4 ||
    !r.coords.every((c: unknown) => typeof c === "number")
  ) {
    fail("NOT_BOXES", fn, `${arg} must be a Box (made by box() or boxAt()); got ${describeValue(b)}`, {
      arg,
    });
  }
  checkFormat(fn, `${arg}.format`, r.format);
  checkUnits(fn, `${arg}.units`, r.units);
  if (format !== undefined && r.format !== format) {
    fail("FORMAT_MISMATCH", fn, `${arg} must be a ${format} box; got ${r.format}`, {
      arg,
      expected: format,
      actual: r.format,
    });
  }
  if (units !== undefined && r.units !== units) {
    fail("UNITS_MISMATCH", fn, `${arg} must be in ${units} units; got ${r.units}`, {
      arg,
      expected: units,
      actual: r.units,
    });
  }
}

/** Asserts two box values (Boxes, BoxTensors) share format and units; hints name the fixing calls. */
export function checkSame(
  fn: string,
  a: { readonly format: string; readonly units: string },
  b: { readonly format: string; readonly units: string },
  argA = "a",
  argB = "b",
  hints: { readonly convert: string; readonly units: string } = {
    convert: "convert()",
    units: "toRel()/toPx()",
  },
): void {
  if (a.format !== b.format) {
    fail(
      "FORMAT_MISMATCH",
      fn,
      `${argA} is ${a.format} but ${argB} is ${b.format}; ${hints.convert} one of them first`,
      {
        expected: a.format,
        actual: b.format,
      },
    );
  }
  if (a.units !== b.units) {
    fail(
      "UNITS_MISMATCH",
      fn,
      `${argA} is in ${a.units} but ${argB} is in ${b.units}; use ${hints.units} first`,
      {
        expected: a.units,
        actual: b.units,
      },
    );
  }
}

/** Asserts an image size is positive and finite. */
export function checkImageSize(fn: string, arg: string, s: unknown): asserts s is ImageSize {
  const r = s as Partial<ImageSize> | null;
  const ok =
    typeof r === "object" &&
    r !== null &&
    typeof r.width === "number" &&
    typeof r.height === "number" &&
    Number.isFinite(r.width) &&
    Number.isFinite(r.height) &&
    r.width > 0 &&
    r.height > 0;
  if (!ok) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${arg} must be { width > 0, height > 0 } (finite); got ${describeValue(s)}`,
      {
        arg,
        value: s,
      },
    );
  }
}

/** Asserts `x` is a finite number within [lo, hi]. */
export function checkNumberIn(
  fn: string,
  arg: string,
  x: unknown,
  lo: number,
  hi: number,
): asserts x is number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < lo || x > hi) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `${arg} must be a finite number in [${lo}, ${hi}]; got ${describeValue(x)}`,
      {
        arg,
        value: x,
      },
    );
  }
}

/** Asserts an `out` array, when given, is a Float32Array of the needed length. */
export function checkOut(fn: string, out: Float32Array | undefined, length: number): Float32Array {
  if (out === undefined) return new Float32Array(length);
  if (!(out instanceof Float32Array) || out.length !== length) {
    fail("SHAPE_MISMATCH", fn, `out must be a Float32Array of length ${length}; got ${describeValue(out)}`, {
      arg: "out",
      expected: length,
    });
  }
  return out;
}
