import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readOnnxMetadata } from "@od/onnx";
import { initBackend } from "@od/tf";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { errorLine, od, saveTinyDetector, vocFixture } from "./helpers.js";

let root: string;
let model: string;
beforeAll(async () => {
  root = await vocFixture();
  model = await mkdtemp(path.join(tmpdir(), "od-cli-onnx-"));
  await initBackend({ prefer: ["cpu"] });
  await saveTinyDetector(model);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(model, { recursive: true, force: true });
});

type Det = { image_id: number; category_id: number; bbox: number[]; score: number };

describe("odet export --format onnx, odet predict --runtime onnx", () => {
  test("the exported model predicts what the tfjs runtime predicts, from the file and from the folder", async () => {
    const file = path.join(root, "out", "model.onnx");
    const e = await od(["export", "--model", model, "--format", "onnx", "--out", file, "--backend", "cpu"]);
    expect(e.stderr).toBe("");
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/^wrote .*model\.onnx \(ONNX opset 17, \d+ bytes; input \[N, 3, 64, 64\] NCHW/);
    expect(readOnnxMetadata(await readFile(file)).config.classNames).toEqual(["blob", "cell"]);
    const images = ["img1.png", "img2.png"].map((f) => path.join(root, "JPEGImages", f));
    const run = async (m: string, runtime: string, out: string): Promise<Det[]> => {
      const r = await od([
        "predict",
        "--model",
        m,
        "--runtime",
        runtime,
        "--out",
        path.join(root, out),
        "--score",
        "0",
        "--backend",
        "cpu",
        ...images,
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return JSON.parse(await readFile(path.join(root, out, "detections.json"), "utf8"));
    };
    const want = await run(model, "tfjs", "p-tfjs");
    expect(want.length).toBeGreaterThan(0);
    for (const got of [await run(file, "onnx", "p-onnx-file"), await run(model, "onnx", "p-onnx-dir")]) {
      expect(got.map((d) => [d.image_id, d.category_id])).toEqual(
        want.map((d) => [d.image_id, d.category_id]),
      );
      // detections.json rounds boxes to 0.01 px and scores to 1e-4: one rounding step apart at most
      // (the unrounded outputs agree within 1e-3 px and 1e-4, tested in @od/onnx).
      got.forEach((d, i) => {
        expect(Math.abs(d.score - want[i]!.score)).toBeLessThanOrEqual(1e-4 + 1e-9);
        for (const [k, v] of d.bbox.entries())
          expect(Math.abs(v - want[i]!.bbox[k]!)).toBeLessThanOrEqual(0.01 + 1e-9);
      });
    }
  });

  test("bad input is one line and exit 2: unwritable output, not an od model, unsupported runtime or format", async () => {
    const img = path.join(root, "JPEGImages", "img1.png");
    const blocker = path.join(root, "a-file");
    await writeFile(blocker, "x");
    const cases: [string, string[], RegExp][] = [
      [
        "export",
        ["export", "--model", model, "--out", path.join(blocker, "m.onnx"), "--backend", "cpu"],
        /a-file/,
      ],
      [
        "export",
        ["export", "--model", model, "--out", root, "--backend", "cpu"],
        /is a folder; give a file name/,
      ],
      ["export", ["export", "--model", path.join(root, "JPEGImages"), "--out", "m.onnx"], /JPEGImages/],
      ["export", ["export", "--model", model, "--format", "tflite", "--out", "m.onnx"], /tflite/],
      [
        "predict",
        ["predict", "--model", blocker, "--runtime", "onnx", "--out", "p", img],
        /a-file: readOnnxMetadata: .*not an ONNX model/,
      ],
      ["predict", ["predict", "--model", model, "--runtime", "tensorrt", "--out", "p", img], /tensorrt/],
      [
        "predict",
        ["predict", "--model", model, "--runtime", "onnx", "--imgsz", "128", "--out", "p", img],
        /--imgsz is not available with --runtime onnx/,
      ],
    ];
    for (const [cmd, args, why] of cases) {
      const r = await od(args, { cwd: root });
      expect(r.code, args.join(" ")).toBe(2);
      expect(errorLine(r.stderr, cmd)).toMatch(why);
    }
  });

  test("--json prints the written file, its size and the class names", async () => {
    const file = path.join(root, "json.onnx");
    const r = await od(["export", "--model", model, "--out", file, "--backend", "cpu", "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toEqual({
      format: "onnx",
      out: file,
      bytes: (await readFile(file)).length,
      classNames: ["blob", "cell"],
    });
  });

  test("a failed export leaves an existing output file as it was", async () => {
    const file = path.join(root, "keep.onnx");
    await writeFile(file, "old model");
    const r = await od(["export", "--model", path.join(root, "nope"), "--out", file], { cwd: root });
    expect(r.code).toBe(2);
    expect(await readFile(file, "utf8")).toBe("old model");
  });
});
