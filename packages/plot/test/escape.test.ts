import { test as ftest } from "@fast-check/vitest";
import fc from "fast-check";
import { XMLValidator } from "fast-xml-parser";
import { describe, expect, test } from "vitest";
import { escapeXml } from "../src/index.js";

describe("escapeXml", () => {
  test.each([
    ["", ""],
    ["RBC", "RBC"],
    ["<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"],
    ["a & b", "a &amp; b"],
    ["&amp;", "&amp;amp;"],
    [`say "hi"`, "say &quot;hi&quot;"],
    ["it's", "it&#39;s"],
    ["tab\tnew\nline", "tab\tnew\nline"],
    ["nul\u0000bell\u0007", "nul\uFFFDbell\uFFFD"],
    ["lone \uD800 high", "lone \uFFFD high"],
    ["emoji 🩸 stays", "emoji 🩸 stays"],
  ])("%j -> %j", (input, expected) => {
    expect(escapeXml(input)).toBe(expected);
  });

  ftest.prop([fc.string({ unit: "binary" })])(
    "any string is safe as text content and as a quoted attribute value",
    (s) => {
      const e = escapeXml(s);
      expect(e).not.toMatch(/[<>"']/);
      expect(XMLValidator.validate(`<t a="${e}" b='${e}'>${e}</t>`)).toBe(true);
    },
  );

  ftest.prop([fc.string({ unit: "grapheme" })])("XML-safe text round-trips through the entities", (s) => {
    const back = escapeXml(s)
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
    expect(back).toBe(s);
  });
});
