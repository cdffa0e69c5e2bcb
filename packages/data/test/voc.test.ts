import { toArray } from "@od/boxes";
import { describe, expect, test } from "vitest";
import { parseImageSet, parseVocXml, vocDataset, writeVocXml } from "../src/index.js";
import { expectOdError, vocXml } from "./helpers.js";

const entry = (id: string, xml: string) => ({
  annotationFile: `Annotations/${id}.xml`,
  annotation: parseVocXml(xml, `Annotations/${id}.xml`),
});

describe("parseVocXml", () => {
  test("reads filename, size, objects, flags; coordinates unchanged", () => {
    const a = parseVocXml(
      vocXml("a.jpg", 100, 50, [
        ["cat", 1, 2, 30, 40, 1, 0],
        ["dog", 10, 10, 20, 20, 0, 1],
      ]),
    );
    expect(a.filename).toBe("a.jpg");
    expect(a.size).toEqual({ width: 100, height: 50 });
    expect(a.objects).toEqual([
      { name: "cat", xmin: 1, ymin: 2, xmax: 30, ymax: 40, difficult: 1, truncated: 0 },
      { name: "dog", xmin: 10, ymin: 10, xmax: 20, ymax: 20, difficult: 0, truncated: 1 },
    ]);
  });
  test("no objects is a negative; missing or non-numeric coordinates become NaN", () => {
    expect(parseVocXml(vocXml("a.jpg", 10, 10, [])).objects).toEqual([]);
    const a = parseVocXml(vocXml("a.jpg", 10, 10, [["cat", "x", 1, 2, 3]]));
    expect(a.objects[0]?.xmin).toBeNaN();
  });
  test("malformed XML names the file, line and column", () => {
    expectOdError(
      () => parseVocXml("<annotation>\n<size><width>3</width>\n</annotation>", "Annotations/bad.xml"),
      "MALFORMED_ANNOTATION",
      /^parseVocXml: Annotations\/bad\.xml:\d+:\d+: XML is not well-formed/,
    );
    expectOdError(
      () => parseVocXml("<foo/>", "x.xml"),
      "MALFORMED_ANNOTATION",
      /x\.xml: the root element must be <annotation>/,
    );
    expectOdError(
      () => parseVocXml("<annotation><object><bndbox/></object></annotation>", "x.xml"),
      "MALFORMED_ANNOTATION",
      /x\.xml: object\[0\] has no <name>/,
    );
  });
});

describe("vocDataset", () => {
  const clean = entry(
    "a",
    vocXml("a.jpg", 100, 50, [
      ["dog", 1, 2, 30, 40, 1, 1],
      ["cat", 0, 0, 100, 50],
    ]),
  );
  test("classes sorted, labels, flags, file path", () => {
    const ds = vocDataset([clean]);
    expect(ds.classNames).toEqual(["cat", "dog"]);
    const r = ds.images[0]!;
    expect(r.id).toBe("a");
    expect(r.file).toBe("JPEGImages/a.jpg");
    expect(toArray(r.boxes)).toEqual([
      [1, 2, 30, 40],
      [0, 0, 100, 50],
    ]);
    expect(Array.from(r.labels)).toEqual([1, 0]);
    expect(Array.from(r.difficult)).toEqual([1, 0]);
    expect(Array.from(r.truncated)).toEqual([1, 0]);
    expect(Array.from(r.crowd)).toEqual([0, 0]);
    expect(ds.report).toMatchObject({
      policy: "error",
      imagesRead: 1,
      boxesRead: 2,
      imagesKept: 1,
      boxesKept: 2,
      issues: [],
      summary: {},
    });
  });
  const dirty = entry(
    "b",
    vocXml("b.jpg", 100, 50, [
      ["cat", 5, 5, 5, 9], // zero-area
      ["cat", 20, 5, 10, 9], // inverted
      ["cat", 90, 40, 120, 60], // out-of-image
      ["cat", "nan", 1, 2, 3], // non-finite
      ["cat", 200, 200, 210, 210], // outside-image
      ["bird", 1, 1, 2, 2], // unknown class
      ["cat", 1, 1, 9, 9], // fine
    ]),
  );
  test("error policy: typed error naming file, object index, value and reason", () => {
    expectOdError(
      () => vocDataset([dirty], { classNames: ["cat"] }),
      "UNKNOWN_CLASS",
      /Annotations\/b\.xml object\[5\]: class "bird" is not in classNames/,
    );
    expectOdError(
      () => vocDataset([dirty]),
      "INVALID_BOX",
      /^vocDataset: Annotations\/b\.xml object\[0\]: box \[5, 5, 5, 9\] \(VOC xmin,ymin,xmax,ymax\) is zero-area in image 100x50; 4 more/,
    );
  });
  test("drop policy reports every box, in source order", () => {
    const ds = vocDataset([dirty], { classNames: ["cat"], policy: "drop" });
    expect(ds.report.issues.map((i) => [i.index, i.reason, i.action])).toEqual([
      [5, "unknown-class", "dropped"],
      [0, "zero-area", "dropped"],
      [1, "inverted", "dropped"],
      [2, "out-of-image", "dropped"],
      [3, "non-finite", "dropped"],
      [4, "outside-image", "dropped"],
    ]);
    expect(ds.report.issues[1]).toMatchObject({
      file: "Annotations/b.xml",
      image: "b",
      where: "object[0]",
      value: [5, 5, 5, 9],
    });
    expect(ds.report.summary).toEqual({
      "unknown-class": 1,
      "zero-area": 1,
      inverted: 1,
      "out-of-image": 1,
      "non-finite": 1,
      "outside-image": 1,
    });
    expect(toArray(ds.images[0]!.boxes)).toEqual([[1, 1, 9, 9]]);
    expect(ds.report).toMatchObject({ boxesRead: 7, boxesKept: 1 });
  });
  test("clip policy clips boxes crossing the border and drops the rest", () => {
    const ds = vocDataset([dirty], { classNames: ["cat"], policy: "clip" });
    expect(toArray(ds.images[0]!.boxes)).toEqual([
      [90, 40, 100, 50],
      [1, 1, 9, 9],
    ]);
    expect(ds.report.issues.find((i) => i.index === 2)?.action).toBe("clipped");
  });
  test("allowEmpty keeps zero-area boxes", () => {
    const ds = vocDataset([entry("c", vocXml("c.jpg", 10, 10, [["cat", 5, 5, 5, 9]]))], { allowEmpty: true });
    expect(ds.images[0]!.boxes.length).toBe(1);
  });
  test("image checks: missing, unreadable, size mismatch (error, drop, clip)", () => {
    const e = entry("a", vocXml("a.jpg", 100, 50, [["cat", 1, 1, 90, 45]]));
    const miss = new Map([["JPEGImages/a.jpg", { status: "missing" as const, path: "JPEGImages/a.jpg" }]]);
    expectOdError(
      () => vocDataset([e], { imageChecks: miss }),
      "MISSING_IMAGE",
      /image "JPEGImages\/a\.jpg" of Annotations\/a\.xml does not exist/,
    );
    const bad = new Map([
      [
        "JPEGImages/a.jpg",
        { status: "unreadable" as const, path: "JPEGImages/a.jpg", message: "not a JPEG" },
      ],
    ]);
    expect(vocDataset([e], { imageChecks: bad, policy: "drop" }).report.issues[0]).toMatchObject({
      reason: "unreadable-image",
      action: "image-dropped",
      index: -1,
    });
    const small = new Map([["JPEGImages/a.jpg", { status: "ok" as const, size: { width: 80, height: 40 } }]]);
    expectOdError(
      () => vocDataset([e], { imageChecks: small }),
      "SIZE_MISMATCH",
      /says the image is 100x50 but JPEGImages\/a\.jpg is 80x40/,
    );
    const dropped = vocDataset([e], { imageChecks: small, policy: "drop" });
    expect(dropped.images).toEqual([]);
    expect(dropped.report.issues[0]).toMatchObject({
      reason: "size-mismatch",
      value: [100, 50, 80, 40],
      action: "image-dropped",
    });
    const clipped = vocDataset([e], { imageChecks: small, policy: "clip" });
    expect(clipped.images[0]!.size).toEqual({ width: 80, height: 40 });
    expect(toArray(clipped.images[0]!.boxes)).toEqual([[1, 1, 80, 40]]);
    expect(clipped.report.summary).toEqual({ "size-mismatch": 1, "out-of-image": 1 });
  });
  test("missing size without an image check", () => {
    const e = {
      annotationFile: "Annotations/z.xml",
      annotation: parseVocXml("<annotation><filename>z.jpg</filename></annotation>"),
    };
    expectOdError(
      () => vocDataset([e]),
      "MALFORMED_ANNOTATION",
      /Annotations\/z\.xml gives no valid image size/,
    );
    expect(vocDataset([e], { policy: "drop" }).report.issues[0]?.reason).toBe("missing-size");
  });
  test("invalid policy", () => {
    expectOdError(
      () => vocDataset([], { policy: "keep" as "drop" }),
      "INVALID_ARGUMENT",
      /options\.policy must be "error", "drop" or "clip"; got "keep"/,
    );
  });
});

describe("writeVocXml", () => {
  test("VOC -> VOC is exact, including flags and decimals", () => {
    const xml = vocXml("a.jpg", 100, 50, [
      ["dog", 1, 2, 30, 40, 1, 1],
      ["cat", 0.5, 0, 99.25, 50],
    ]);
    const ds = vocDataset([entry("a", xml)]);
    const back = vocDataset([entry("a", writeVocXml(ds.images[0]!, ds.classNames))]);
    expect(back.images).toEqual(ds.images);
    expect(back.classNames).toEqual(ds.classNames);
  });
  test("a negative has no <object>; a label outside classNames is an error", () => {
    const ds = vocDataset([entry("n", vocXml("n.jpg", 10, 10, []))]);
    expect(writeVocXml(ds.images[0]!, [])).not.toContain("<object>");
    const r = vocDataset([entry("a", vocXml("a.jpg", 10, 10, [["cat", 1, 1, 2, 2]]))]).images[0]!;
    expectOdError(() => writeVocXml(r, []), "INVALID_ARGUMENT", /labels\[0\] = 0 is outside classNames/);
  });
});

describe("parseImageSet", () => {
  test("ids, blank lines and a second column", () => {
    expect(parseImageSet("a\n\n b \r\nc  1\n")).toEqual(["a", "b", "c"]);
  });
});
