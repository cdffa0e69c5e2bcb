import { existsSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { type PickleDict, type PickleObject, readPth, readPthObject, toFloat32 } from "../src/index.js";
import { type Described, expectOdError, expectTensorEquals, fixture, fixtureJson } from "./helpers.js";

// Expected values: scripts/make_fixtures.py (torch 1.13) writes each .pth and, beside it, the
// elements torch holds for every tensor.
describe("readPth", () => {
  const expected = fixtureJson<Record<string, Described>>("state_dict.expected.json");
  const sd = readPth(fixture("state_dict.pth"), { file: "state_dict.pth" });

  test("reads every key in torch's order", () => {
    expect([...sd.keys()]).toEqual(Object.keys(expected));
  });

  test.each(Object.keys(expected))("%s holds torch's elements, dtype and shape", (key) => {
    expectTensorEquals(sd.get(key), expected[key]!);
  });

  test("views of one storage are materialised separately (no aliasing)", () => {
    const base = sd.get("shared.base")!;
    const row = sd.get("shared.row2")!;
    expect(base.data.buffer).not.toBe(row.data.buffer);
    (base.data as Float32Array)[12] = 1234;
    expect(row.data[0]).not.toBe(1234);
  });

  test("float16 / bfloat16 widen to torch's float32 values", () => {
    for (const key of ["half", "half_special", "bf16"]) {
      const want = expected[key]!.values.map((v) => Math.fround(Number(v)));
      expect(Array.from(toFloat32(sd.get(key)!))).toEqual(want);
    }
  });

  test("a reference-script checkpoint: the state dict by key, the rest as plain data", () => {
    const ck = fixtureJson<{
      model: Record<string, Described>;
      epoch: number;
      args: Record<string, unknown>;
      momentum_buffer_0: Described;
      milestones: Record<string, number>;
    }>("checkpoint.expected.json");
    const model = readPth(fixture("checkpoint.pth"), { key: "model" });
    expect([...model.keys()]).toEqual(Object.keys(ck.model));
    for (const [k, d] of Object.entries(ck.model)) expectTensorEquals(model.get(k), d);

    const all = readPthObject(fixture("checkpoint.pth")) as PickleDict;
    expect(all.get("epoch")).toBe(ck.epoch);
    const args = all.get("args") as PickleObject;
    expect(args.className).toBe("argparse.Namespace");
    expect(Object.fromEntries(args.attributes)).toEqual(ck.args);
    const state = (all.get("optimizer") as PickleDict).get("state") as PickleDict;
    expectTensorEquals((state.get(0) as PickleDict).get("momentum_buffer") as never, ck.momentum_buffer_0);
    const milestones = (all.get("lr_scheduler") as PickleDict).get("milestones") as PickleDict;
    expect(Object.fromEntries(milestones)).toEqual(ck.milestones);
  });

  test("a checkpoint without key: the error lists its entries and suggests key", () => {
    expectOdError(
      () => readPth(fixture("checkpoint.pth"), { file: "ck.pth" }),
      "BAD_ARCHIVE",
      /ck\.pth.*"model".*key/,
    );
    expectOdError(
      () => readPth(fixture("checkpoint.pth"), { key: "state_dict" }),
      "BAD_ARCHIVE",
      /no entry "state_dict"; its entries are "model"/,
    );
  });

  test.each([
    ["malicious_os_system.pth", /global posix\.system at byte \d+/],
    ["malicious_eval.pth", /global __builtin__\.eval at byte \d+/],
  ])("%s is refused, never executed", (name, message) => {
    expectOdError(() => readPth(fixture(name), { file: name }), "FORBIDDEN_GLOBAL", message);
    expectOdError(() => readPthObject(fixture(name)), "FORBIDDEN_GLOBAL", message);
    expect(existsSync("/tmp/od-pwned")).toBe(false);
  });
});
