import { toArray } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { parseNames, parseYoloLabels, writeNames, writeYoloLabels, yoloDataset } from "../src/index.js";
import { expectOdError } from "./helpers.js";

describe("parseYoloLabels", () => {
  test("rows, comments, blank lines, nan", () => {
    expect(parseYoloLabels("0 0.5 0.5 0.2 0.4\n\n# c\n1 0.1 0.2 0.1 0.1\n")).toEqual([
      { cls: 0, cx: 0.5, cy: 0.5, w: 0.2, h: 0.4, line: 1 },
      { cls: 1, cx: 0.1, cy: 0.2, w: 0.1, h: 0.1, line: 4 },
    ]);
    expect(parseYoloLabels("0 nan 0.5 0.1 0.1")[0]?.cx).toBeNaN();
  });
  test("malformed lines name file and line", () => {
    expectOdError(
      () => parseYoloLabels("0 0.5 0.5 0.2 0.4\n0 0.5 0.5 0.2", "labels/a.txt"),
      "MALFORMED_ANNOTATION",
      /^parseYoloLabels: labels\/a\.txt:2: expected 5 fields/,
    );
    expectOdError(
      () => parseYoloLabels("1.5 0.5 0.5 0.2 0.4", "a.txt"),
      "MALFORMED_ANNOTATION",
      /a\.txt:1: class must be a non-negative integer; got "1\.5"/,
    );
    expectOdError(
      () => parseYoloLabels("1 0.5 abc 0.2 0.4", "a.txt"),
      "MALFORMED_ANNOTATION",
      /a\.txt:1: cy must be a decimal number .*; got "abc"/,
    );
  });
  test.each([
    ["0 0x1 0.5 0.2 0.2", "cx", "0x1"],
    ["0 0.5 Infinity 0.2 0.2", "cy", "Infinity"],
    ["0 0.5 0.5 -inf 0.2", "w", "-inf"],
    ["0 0.5 0.5 0.2 1e999", "h", "1e999"],
  ])("%j: strict decimals only", (line, field, v) => {
    expectOdError(
      () => parseYoloLabels(line, "a.txt"),
      "MALFORMED_ANNOTATION",
      new RegExp(`a\\.txt:1: ${field} must be a decimal number .*; got "${v}"`),
    );
  });
  test.each(["0x1", "+1", "1.0", "-1", "1e0"])("class %j is not a non-negative integer", (c) => {
    expectOdError(
      () => parseYoloLabels(`${c} 0.5 0.5 0.2 0.2`, "a.txt"),
      "MALFORMED_ANNOTATION",
      /a\.txt:1: class must be a non-negative integer/,
    );
  });
});

describe("parseNames", () => {
  test("names per line; duplicates are errors", () => {
    expect(parseNames("cat\n dog \n\n")).toEqual(["cat", "dog"]);
    expectOdError(
      () => parseNames("cat\ndog\ncat", "classes.txt"),
      "MALFORMED_ANNOTATION",
      /classes\.txt:3: class "cat" repeats line 1/,
    );
  });
});

describe("yoloDataset", () => {
  const size = { width: 200, height: 100 };
  test("rel cxcywh -> xyxy px", () => {
    const ds = yoloDataset(
      [
        {
          labelFile: "labels/a.txt",
          imageFile: "images/a.jpg",
          size,
          rows: parseYoloLabels("1 0.5 0.5 0.2 0.4\n"),
        },
      ],
      { classNames: ["cat", "dog"] },
    );
    expect(ds.images[0]).toMatchObject({ id: "a", file: "images/a.jpg", size });
    expect(toArray(ds.images[0]!.boxes)[0]!.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([80, 30, 120, 70]);
    expect(Array.from(ds.images[0]!.labels)).toEqual([1]);
  });
  test("class id out of range and boxes leaving the image are reported by line", () => {
    const rows = parseYoloLabels("2 0.5 0.5 0.2 0.4\n0 0.95 0.5 0.2 0.2\n0 0.5 0.5 0 0.1\n");
    expectOdError(
      () =>
        yoloDataset([{ labelFile: "l.txt", imageFile: "i.jpg", size, rows }], { classNames: ["cat", "dog"] }),
      "UNKNOWN_CLASS",
      /l\.txt line 1: class 2/,
    );
    const ds = yoloDataset([{ labelFile: "l.txt", imageFile: "i.jpg", size, rows }], {
      classNames: ["cat", "dog"],
      policy: "clip",
    });
    expect(ds.report.issues.map((i) => [i.where, i.reason, i.action])).toEqual([
      ["line 1", "unknown-class", "dropped"],
      ["line 2", "out-of-image", "clipped"],
      ["line 3", "zero-area", "dropped"],
    ]);
  });
  test("6-digit rounding at the border is on the border; a real crossing is still reported", () => {
    // BCCD BloodImage_00000 (640x480), RBC at xmax = 640 printed with 6 significant digits as
    // ultralytics writes labels: 0.933594 + 0.132813 / 2 = 1.0000005 (0.0003 px outside).
    const bccd = { width: 640, height: 480 };
    const ds = yoloDataset(
      [
        {
          labelFile: "l.txt",
          imageFile: "i.jpg",
          size: bccd,
          rows: parseYoloLabels("0 0.933594 0.844792 0.132813 0.20625\n"),
        },
      ],
      { classNames: ["RBC"] },
    );
    expect(ds.report.issues).toEqual([]);
    expect(toArray(ds.images[0]!.boxes)[0]![2]).toBe(640);
    // 0.00001 of the side (0.0064 px) is more than rounding: reported.
    const rows = parseYoloLabels("0 0.95 0.5 0.10002 0.2\n");
    expectOdError(
      () =>
        yoloDataset([{ labelFile: "l.txt", imageFile: "i.jpg", size: bccd, rows }], { classNames: ["RBC"] }),
      "INVALID_BOX",
      /l\.txt line 1/,
    );
  });
  test("size from an image check; no size at all is an error", () => {
    const checks = new Map([["i.jpg", { status: "ok" as const, size }]]);
    expect(
      yoloDataset([{ labelFile: "l.txt", imageFile: "i.jpg", rows: [] }], {
        classNames: [],
        imageChecks: checks,
      }).images[0]!.size,
    ).toEqual(size);
    expectOdError(
      () => yoloDataset([{ labelFile: "l.txt", imageFile: "i.jpg", rows: [] }], { classNames: [] }),
      "MALFORMED_ANNOTATION",
      /l\.txt gives no valid image size/,
    );
  });
});

describe("writeYoloLabels / writeNames", () => {
  test("inverse of the reader; negatives are empty", () => {
    const rows = parseYoloLabels("1 0.5 0.5 0.2 0.4\n0 0.125 0.25 0.0625 0.5\n");
    const ds = yoloDataset(
      [{ labelFile: "l.txt", imageFile: "i.jpg", size: { width: 200, height: 100 }, rows }],
      { classNames: ["cat", "dog"] },
    );
    expect(writeYoloLabels(ds.images[0]!)).toBe("1 0.5 0.5 0.2 0.4\n0 0.125 0.25 0.0625 0.5\n");
    expect(writeNames(["cat", "dog"])).toBe("cat\ndog\n");
    const neg = yoloDataset(
      [{ labelFile: "n.txt", imageFile: "n.jpg", size: { width: 5, height: 5 }, rows: [] }],
      { classNames: [] },
    );
    expect(writeYoloLabels(neg.images[0]!)).toBe("");
  });
});
