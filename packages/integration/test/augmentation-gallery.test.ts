import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import {
  type Arg,
  buildArg,
  GALLERY,
  GALLERY_PAGE,
  GALLERY_SETTINGS,
  galleryMarkdown,
  gallerySamples,
  ORIGINAL_PICTURE,
  pictureFile,
  printArg,
  renderEntry,
} from "../scripts/augmentation-gallery.js";

const root = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const pageDir = path.dirname(path.join(root, GALLERY_PAGE));

/** The exports of @od/augment's entry that are functions returning a `Transform` (read with the compiler). */
function exportedTransforms(): string[] {
  const entry = path.join(root, "packages/augment/src/index.ts");
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const names: string[] = [];
  for (const sym of checker.getExportsOfModule(module)) {
    const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
    const decl = target.valueDeclaration;
    if (decl === undefined) continue;
    const signatures = checker.getTypeOfSymbolAtLocation(target, decl).getCallSignatures();
    if (signatures.some((s) => checker.getReturnTypeOfSignature(s).getSymbol()?.getName() === "Transform"))
      names.push(sym.getName());
  }
  return names.sort();
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe("printArg", () => {
  test.each<[string, Arg, string]>([
    ["number", 0.5, "0.5"],
    ["string", "mean", '"mean"'],
    ["empty object", {}, "{}"],
    ["object with a range", { delta: [-0.25, 0.25] }, "{ delta: [-0.25, 0.25] }"],
    ["a named value", { sources: { kind: "ref", name: "sources" } }, "{ sources: sources }"],
    [
      "nested calls",
      { kind: "call", fn: "compose", args: [[{ kind: "call", fn: "grayscale", args: [{}] }]] },
      "compose([grayscale({})])",
    ],
  ])("%s", (_name, arg, text) => {
    expect(printArg(arg)).toBe(text);
  });
});

describe("buildArg", () => {
  test("builds nested calls into transforms and looks names up", () => {
    const t = buildArg(
      { kind: "call", fn: "compose", args: [[{ kind: "call", fn: "grayscale", args: [{}] }]] },
      {},
    );
    expect((t as { name: string }).name).toBe("compose");
    expect(buildArg({ n: { kind: "ref", name: "x" } }, { x: 7 })).toEqual({ n: 7 });
  });

  test("a name without a value is an error", () => {
    expect(() => buildArg({ kind: "ref", name: "sources" }, {})).toThrow("buildArg: no value for sources");
  });
});

describe("the augmentation gallery", () => {
  test("has an entry for every exported transform of @od/augment, and no other", { timeout: 60_000 }, () => {
    const exported = exportedTransforms();
    expect(exported).toContain("letterbox");
    expect(GALLERY.map((e) => e.name).sort()).toEqual(exported);
  });

  test("each entry's call is of its own transform", () => {
    for (const e of GALLERY) expect(e.call.fn).toBe(e.name);
  });

  test("the committed page is the one the entries generate (run npm run docs:gallery)", () => {
    expect(readFileSync(path.join(root, GALLERY_PAGE), "utf8")).toBe(galleryMarkdown());
  });

  test("every picture exists with the grid's size", () => {
    const { versions: n, cell } = GALLERY_SETTINGS;
    for (const e of GALLERY) {
      expect(pngSize(readFileSync(path.join(pageDir, pictureFile(e)))), e.name).toEqual({
        width: n * (cell.width + 2) + 2,
        height: cell.height + 4,
      });
    }
    expect(pngSize(readFileSync(path.join(pageDir, ORIGINAL_PICTURE)))).toEqual({
      width: 2 * cell.width + 4,
      height: 2 * cell.height + 4,
    });
  });

  test("a picture regenerated from the entries is the committed one, byte for byte", {
    timeout: 60_000,
  }, async () => {
    const samples = await gallerySamples(root);
    for (const name of ["ssdPipeline", "copyPaste"]) {
      const e = GALLERY.find((x) => x.name === name)!;
      expect(renderEntry(e, samples).equals(readFileSync(path.join(pageDir, pictureFile(e)))), name).toBe(
        true,
      );
    }
  });
});
