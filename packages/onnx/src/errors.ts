import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/onnx`. */
export type OnnxErrorCode =
  /** The model uses a tfjs kernel (or a use of one) that has no ONNX mapping; names the kernel. */
  | "UNSUPPORTED_OP"
  /** An option or argument is outside its domain. */
  | "INVALID_ARGUMENT"
  /** The bytes or file given are not an ONNX model exported by od (names what is missing). */
  | "NOT_OD_MODEL"
  /** The ONNX Runtime package a runtime needs is not installed (names the package). */
  | "RUNTIME_MISSING"
  /** ONNX Runtime refused the model or failed while running it. */
  | "RUNTIME_FAILED"
  /** A file could not be read or written (names the path). */
  | "IO_FAILED";

/** Error thrown by `@od/onnx`. `name` is `"OnnxError"`. */
export class OnnxError extends OdError<OnnxErrorCode> {
  constructor(code: OnnxErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "OnnxError";
  }
}

/** Throws an OnnxError whose message starts with the function name (`cause`: the error it wraps). */
export function fail(
  code: OnnxErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): never {
  throw new OnnxError(code, `${fn}: ${message}`, { details: { fn, ...details }, cause });
}
