import { unsafeBoxes } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { addNegatives, createDataset, isNegative, negativeRecord, subset } from "../src/index.js";
import { record, synthetic } from "./fixtures.js";
import { expectOdError } from "./helpers.js";

describe("createDataset", () => {
  test("checks lengths, labels, sizes, ids and the box format", () => {
    const r = record("a", { width: 10, height: 10 }, [[0, 0, 5, 5]], [0]);
    expect(createDataset({ classNames: ["x"], images: [r] }).report).toMatchObject({
      imagesKept: 1,
      boxesKept: 1,
      issues: [],
    });
    expectOdError(
      () => createDataset({ classNames: [], images: [r] }),
      "INVALID_ARGUMENT",
      /^createDataset: images\[0\]\.labels\[0\] = 0 is outside \[0, 0\)/,
    );
    expectOdError(
      () => createDataset({ classNames: ["x"], images: [{ ...r, crowd: new Uint8Array(0) }] }),
      "INVALID_ARGUMENT",
      /images\[0\]\.crowd has length 0; expected 1/,
    );
    expectOdError(
      () => createDataset({ classNames: ["x"], images: [r, r] }),
      "INVALID_ARGUMENT",
      /images\[1\]\.id "a" is a duplicate/,
    );
    expectOdError(
      () => createDataset({ classNames: ["x"], images: [{ ...r, size: { width: 0, height: 1 } }] }),
      "INVALID_ARGUMENT",
      /size must be positive/,
    );
    // A plain-JS caller handing over rel boxes (the types forbid it; the runtime check catches it).
    const rel = Object.assign({}, r, { boxes: unsafeBoxes(new Float32Array(4), "xyxy", "rel") });
    expectOdError(
      () => createDataset({ classNames: ["x"], images: [rel] }),
      "INVALID_ARGUMENT",
      /must be xyxy px; got xyxy rel/,
    );
  });
});

describe("negatives and subsets", () => {
  test("addNegatives appends background-only images and counts them", () => {
    const ds = synthetic(3);
    const n = negativeRecord("extra/n1.png", { width: 4, height: 3 });
    expect(n.id).toBe("n1");
    expect(isNegative(n)).toBe(true);
    const out = addNegatives(ds, [n]);
    expect(out.images.length).toBe(4);
    expect(out.report.imagesRead).toBe(4);
    expectOdError(
      () => addNegatives(out, [n]),
      "INVALID_ARGUMENT",
      /negatives\[0\]\.id "n1" is already in the dataset/,
    );
    expectOdError(
      () => addNegatives(ds, [ds.images[1]!]),
      "INVALID_ARGUMENT",
      /has 2 boxes; negatives have none/,
    );
  });
  test("subset keeps the given order and rejects unknown ids", () => {
    const ds = synthetic(4);
    expect(subset(ds, ["img2", "img0"]).images.map((r) => r.id)).toEqual(["img2", "img0"]);
    expectOdError(
      () => subset(ds, ["nope"]),
      "INVALID_ARGUMENT",
      /ids\[0\] "nope" is not an image of the dataset/,
    );
  });
});
