import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createProgram } from "../src/index.js";
import { capture, od, vocFixture } from "./helpers.js";

const COMMANDS = [
  ["data", "check"],
  ["data", "stats"],
  ["priors", "analyze"],
  ["priors", "fit"],
  ["show"],
  ["train"],
  ["eval"],
  ["predict"],
  ["export"],
  ["demo"],
  ["backend"],
];

/** The one line a failed command prints on stderr. */
function oneErrorLine(stderr: string, cmd: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^odet ${cmd}: `));
  return lines[0] as string;
}

describe("createProgram", () => {
  test("builds every command without touching process.exit", () => {
    const p = createProgram({ stdout: capture(), stderr: capture() });
    expect(p.commands.map((c) => c.name())).toEqual([
      "data",
      "priors",
      "show",
      "train",
      "eval",
      "predict",
      "export",
      "demo",
      "backend",
    ]);
  });

  test("odet --help lists the commands and exit codes", async () => {
    const r = await od(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: odet");
    expect(r.stdout).toContain("Exit codes:");
  });

  test.each(COMMANDS)("odet %s %s --help shows usage and examples", async (...cmd) => {
    const r = await od([...cmd.filter((c) => c !== undefined), "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: odet ${cmd.join(" ")}`);
    expect(r.stdout).toContain("Examples:");
    expect(r.stderr).toBe("");
  });

  test("odet --version", async () => {
    const r = await od(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("bad input: exit 2 with one line", () => {
  let root: string;
  let corrupt: string;
  beforeAll(async () => {
    root = await vocFixture();
    corrupt = await vocFixture({ corrupt: true, clean: true });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(corrupt, { recursive: true, force: true });
  });

  test("missing folder", async () => {
    const r = await od(["data", "check", "/definitely/not/here"]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr, "data check")).toBe(
      "odet data check: dataset /definitely/not/here does not exist",
    );
  });

  test("unknown format", async () => {
    const r = await od(["data", "stats", root, "--format", "pascal"]);
    expect(r.code).toBe(2);
    const line = oneErrorLine(r.stderr, "data stats");
    expect(line).toContain("'pascal' is invalid");
    expect(line).toContain("voc, coco, yolo");
  });

  test("a folder of no known format", async () => {
    const r = await od(["data", "check", path.join(root, "JPEGImages")]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr, "data check")).toContain("pass --format voc|coco|yolo");
  });

  test("unknown option and unknown command", async () => {
    const a = await od(["data", "check", root, "--polcy", "drop"]);
    expect(a.code).toBe(2);
    expect(oneErrorLine(a.stderr, "data check")).toContain("unknown option '--polcy'");
    const b = await od(["trian"]);
    expect(b.code).toBe(2);
    expect(b.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(b.stderr).toMatch(/^odet: unknown command 'trian'/);
  });

  test("corrupt image file: show fails naming the file, check lists it", async () => {
    const r = await od(["show", "--data", corrupt, "--index", "2", "--policy", "error"]);
    expect(r.code).toBe(2);
    const line = oneErrorLine(r.stderr, "show");
    expect(line).toContain("img3.png");
    const c = await od(["data", "check", corrupt, "--policy", "clip", "--json"]);
    expect(c.code).toBe(0);
    const report = JSON.parse(c.stdout) as { issues: { file: string; reason: string; action: string }[] };
    expect(report.issues).toContainEqual(
      expect.objectContaining({
        file: "JPEGImages/img3.png",
        reason: "unreadable-image",
        action: "image-dropped",
      }),
    );
  });

  test("invalid training config value names the field", async () => {
    const cfg = path.join(root, "bad.json");
    await writeFile(cfg, JSON.stringify({ train: { epochs: -3 } }));
    const r = await od(["train", "--config", cfg, "--data", root, "--out", path.join(root, "run")]);
    expect(r.code).toBe(2);
    const line = oneErrorLine(r.stderr, "train");
    expect(line).toContain("train.epochs");
    expect(line).toContain("resolveTrainConfig");
  });

  test("invalid flag value", async () => {
    const r = await od(["train", "--data", root, "--out", "x", "--epochs", "zero"]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr, "train")).toContain("expected an integer ≥ 1");
  });

  test("invalid prior config names the field", async () => {
    const cfg = path.join(root, "priors.json");
    await writeFile(
      cfg,
      JSON.stringify({
        imageSize: { width: 64, height: 64 },
        featureMaps: [{ height: 8, width: 8 }],
        scales: [-0.1, 0.5],
        aspectRatios: [[2]],
      }),
    );
    const r = await od(["priors", "analyze", "--data", root, "--config", cfg]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr, "priors analyze")).toContain("config.scales[0]");
  });

  test("config file that is not JSON", async () => {
    const cfg = path.join(root, "broken.json");
    await writeFile(cfg, "{ train: ");
    const r = await od(["train", "--config", cfg, "--out", "x"]);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r.stderr, "train")).toContain("is not valid JSON");
  });
});
