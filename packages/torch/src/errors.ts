import { OdError, type OdErrorOptions } from "@od/boxes";

/** Codes thrown by `@od/torch`. */
export type TorchErrorCode =
  /** A `.pth` zip archive is truncated or corrupt (bad signature, offsets out of range, CRC mismatch, missing entry). */
  | "BAD_ARCHIVE"
  /** A pickle stream is malformed (unknown or unsupported opcode, stack underflow, wrong operand types, no STOP). */
  | "BAD_PICKLE"
  /** A pickle names a global (class or function) outside the allow-list; it is never called. */
  | "FORBIDDEN_GLOBAL"
  /** A `.safetensors` file is malformed (header length, JSON, offsets, dtype, shape vs byte length). */
  | "BAD_SAFETENSORS"
  /** A tensor is inconsistent (shape vs data length, strides out of its storage, unknown dtype). */
  | "BAD_TENSOR"
  /** Reading would exceed a bound (byte budget, memo size, stack depth, entry count). */
  | "LIMIT_EXCEEDED"
  /** A state dict does not match its target under strict loading (missing, unexpected or mis-shaped keys). */
  | "STATE_DICT_MISMATCH"
  /** An option or argument is outside its domain. */
  | "INVALID_ARGUMENT";

/** Error thrown by `@od/torch`. `name` is `"TorchError"`. */
export class TorchError extends OdError<TorchErrorCode> {
  constructor(code: TorchErrorCode, message: string, options: OdErrorOptions = {}) {
    super(code, message, options);
    this.name = "TorchError";
  }
}

/** Throws a TorchError whose message starts with the function name. */
export function fail(
  code: TorchErrorCode,
  fn: string,
  message: string,
  details: Record<string, unknown> = {},
): never {
  throw new TorchError(code, `${fn}: ${message}`, { details: { fn, ...details } });
}
