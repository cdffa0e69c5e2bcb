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
  test("no objects is a negative; empty or nan coordinates become NaN (a non-finite box later)", () => {
    expect(parseVocXml(vocXml("a.jpg", 10, 10, [])).objects).toEqual([]);
    for (const v of ["", "nan", "NaN"]) {
      const a = parseVocXml(vocXml("a.jpg", 10, 10, [["cat", v, 1, 2, 3]]));
      expect(a.objects[0]?.xmin).toBeNaN();
    }
    const noBox = parseVocXml("<annotation><object><name>cat</name></object></annotation>");
    expect(noBox.objects[0]?.xmax).toBeNaN();
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

describe("parseVocXml: strict numbers and flags", () => {
  test.each([
    ["0x10", "xmin"],
    ["abc", "xmin"],
    ["Infinity", "xmin"],
    ["1e400", "xmin"],
    ["12px", "xmin"],
    ["1_0", "xmin"],
  ])("coordinate %j is malformed, naming file, object, field and value", (v, field) => {
    expectOdError(
      () =>
        parseVocXml(
          vocXml("a.jpg", 10, 10, [
            ["cat", 1, 1, 5, 5],
            ["cat", v, 1, 2, 3],
          ]),
          "A.xml",
        ),
      "MALFORMED_ANNOTATION",
      new RegExp(
        `^parseVocXml: A\\.xml: object\\[1\\] <bndbox><${field}> must be a decimal number .*; got ${JSON.stringify(v).replace(/[.]/g, "\\.")}`,
      ),
    );
  });
  test("decimals in every form are read", () => {
    const a = parseVocXml(vocXml("a.jpg", 10, 10, [["cat", "+1", "2.", ".5", "1e1"]]));
    expect(a.objects[0]).toMatchObject({ xmin: 1, ymin: 2, xmax: 0.5, ymax: 10 });
  });
  test.each(["abc", "-32", "0x20", "Infinity", "12.5.1"])("<width>%s</width> is malformed", (w) => {
    const xml = `<annotation><size><width>${w}</width><height>10</height></size></annotation>`;
    expectOdError(
      () => parseVocXml(xml, "A.xml"),
      "MALFORMED_ANNOTATION",
      /^parseVocXml: A\.xml: <size><width> must be a positive decimal number \(0 or absent: unknown\); got /,
    );
  });
  test("a size of 0 or an absent size means unknown", () => {
    expect(parseVocXml(vocXml("a.jpg", 0, 0, [])).size).toBeUndefined();
    expect(parseVocXml("<annotation><size><width>5</width></size></annotation>").size).toBeUndefined();
  });
  test.each([
    ["difficult", "yes"],
    ["difficult", "2"],
    ["difficult", "true"],
    ["truncated", "maybe"],
    ["truncated", "-1"],
  ])("<%s>%s</...> is malformed: flags are 0 or 1", (flag, v) => {
    const obj = `<object><name>cat</name><${flag}>${v}</${flag}><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object>`;
    expectOdError(
      () => parseVocXml(`<annotation>${obj}</annotation>`, "A.xml"),
      "MALFORMED_ANNOTATION",
      new RegExp(`A\\.xml: object\\[0\\] <${flag}> must be 0 or 1; got "${v}"`),
    );
  });
  test("flags 0, 1, empty or absent", () => {
    const a = parseVocXml(
      "<annotation><object><name>c</name><difficult>1</difficult><truncated/></object><object><name>c</name><difficult> 0 </difficult></object></annotation>",
    );
    expect(a.objects.map((o) => [o.difficult, o.truncated])).toEqual([
      [1, 0],
      [0, 0],
    ]);
  });
});

describe("parseVocXml: nothing is expanded", () => {
  const obj = (name: string) =>
    `<object><name>${name}</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>`;
  const doc = (name: string, prolog = "") =>
    `${prolog}<annotation><filename>a.jpg</filename><size><width>10</width><height>10</height></size>${obj(name)}</annotation>`;
  const laughs = `<!DOCTYPE annotation [<!ENTITY lol "lol">${Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 2} "${`&lol${i === 0 ? "" : i + 1};`.repeat(10)}">`).join("")}]>`;
  test.each([
    [
      "an external entity",
      doc("&xxe;", '<?xml version="1.0"?><!DOCTYPE annotation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
    ],
    [
      "an entity over 10k characters",
      doc("&big;", `<!DOCTYPE annotation [<!ENTITY big "${"x".repeat(20000)}">]>`),
    ],
    ["an internal entity", doc("&e;", '<!DOCTYPE annotation [<!ENTITY e "RBC">]>')],
    ["billion laughs", doc("&lol9;", laughs)],
    ["a bare DOCTYPE", doc("cat", "<!DOCTYPE annotation>")],
  ])("%s: a DOCTYPE is refused", (_what, xml) => {
    expectOdError(
      () => parseVocXml(xml, "Annotations/x.xml"),
      "MALFORMED_ANNOTATION",
      /^parseVocXml: Annotations\/x\.xml:1:\d+: DOCTYPE declarations are not accepted \(entities are never expanded\)/,
    );
  });
  test.each(["&lol9;", "&#82;BC", "&#x52;BC", "a&nbsp;b"])("the reference in %j is refused", (name) => {
    expectOdError(
      () => parseVocXml(`<annotation>\n${obj(name)}</annotation>`, "Annotations/x.xml"),
      "MALFORMED_ANNOTATION",
      /^parseVocXml: Annotations\/x\.xml:2:\d+: entity reference &[^ ]+; is not accepted \(only &amp; &lt; &gt; &quot; &apos;\)/,
    );
  });
  test("the five XML entities are decoded; CDATA and comments are left alone", () => {
    expect(parseVocXml(doc("a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos;")).objects[0]?.name).toBe(
      "a&b <c> \"d\" 'e'",
    );
    expect(parseVocXml(doc("<![CDATA[R&B]]>")).objects[0]?.name).toBe("R&B");
    expect(parseVocXml(doc("cat<!-- &nope; -->")).objects[0]?.name).toBe("cat");
  });
  test("deep nesting is a malformed file naming it (no stack overflow, no exit 3)", () => {
    const deep = `<annotation>${"<x>".repeat(50000)}${"</x>".repeat(50000)}${obj("cat")}</annotation>`;
    expectOdError(
      () => parseVocXml(deep, "Annotations/deep.xml"),
      "MALFORMED_ANNOTATION",
      /^parseVocXml: Annotations\/deep\.xml:1:\d+: XML nested deeper than 100 elements/,
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
  test("an unknown class close to a known one gets a suggestion (message and detail)", () => {
    const e = entry("s", vocXml("s.jpg", 100, 50, [["Cat", 1, 1, 9, 9]]));
    expectOdError(
      () => vocDataset([e], { classNames: ["cat", "dog"] }),
      "UNKNOWN_CLASS",
      /object\[0\]: class "Cat" is not in classNames \(did you mean "cat"\?\)/,
    );
    const ds = vocDataset([e], { classNames: ["cat", "dog"], policy: "drop" });
    expect(ds.report.issues[0]?.detail).toBe('did you mean "cat"?');
    expect(
      vocDataset([e], { classNames: ["bird"], policy: "drop" }).report.issues[0]?.detail,
    ).toBeUndefined();
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
  test("a second column other than 1, 0, -1 means the id had spaces", () => {
    expectOdError(
      () => parseImageSet("a b\n", "l.txt"),
      "MALFORMED_ANNOTATION",
      /l\.txt:1: "a b" is not an image id/,
    );
  });
});
