import { expect } from "vitest";
import { isOdError } from "../src/index.js";

/** What `f` threw, as an od error: its code, message and details. Fails when it throws none. */
export function caught(f: () => unknown): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  try {
    f();
  } catch (e) {
    if (isOdError(e)) return { code: e.code, message: e.message, details: { ...e.details } };
    throw e;
  }
  throw new Error("expected an od error, got none");
}

/** Max |a − b| over two equally long arrays (asserts the lengths match). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
