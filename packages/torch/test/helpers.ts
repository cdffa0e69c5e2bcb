import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { isOdError } from "@od/boxes";
import { expect } from "vitest";
import type { AnyTorchTensor } from "../src/index.js";

/** Bytes of a committed fixture (test/fixtures; made by scripts/make_fixtures.py with torch 1.13). */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))));
}

/** A JSON fixture. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(new TextDecoder().decode(fixture(name))) as T;
}

/** A tensor as make_fixtures.py's describe() writes it. */
export interface Described {
  dtype: string;
  shape: number[];
  values: (number | string)[];
  bits?: number[];
}

/** Asserts that `t` holds exactly the elements torch reported. */
export function expectTensorEquals(t: AnyTorchTensor | undefined, d: Described): void {
  expect(t).toBeDefined();
  expect(t!.dtype).toBe(d.dtype);
  expect(t!.shape).toEqual(d.shape);
  if (d.bits !== undefined) expect(Array.from(t!.data as Uint16Array)).toEqual(d.bits);
  else if (t!.dtype === "int64") expect(Array.from(t!.data, (v) => String(v))).toEqual(d.values);
  else if (t!.dtype === "float32")
    expect(Array.from(t!.data)).toEqual(d.values.map((v) => Math.fround(Number(v))));
  else expect(Array.from(t!.data as ArrayLike<number>)).toEqual(d.values);
}

/** Runs `f` and asserts it throws an od error with `code` whose message matches `message`. */
export function expectOdError(f: () => unknown, code: string, message?: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected an error").toBeDefined();
  if (!isOdError(thrown, code)) throw thrown;
  if (message !== undefined) expect((thrown as Error).message).toMatch(message);
}
