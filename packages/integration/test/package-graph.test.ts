/**
 * The package-graph rules of `.dependency-cruiser.cjs` (run on the repository by `npm run deps`) fail
 * where they should: a small workspace is written to a temp folder, with one file per kind of
 * violation next to imports the rules allow, and dependency-cruiser must report exactly the
 * violations listed here, no more and no fewer.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const config = path.join(repo, ".dependency-cruiser.cjs");
/** dependency-cruiser, a devDependency of the repository root. */
const depcruise = path.join(repo, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

/** An od package of the fixture: its exports (subpath -> file name in src/dist) and its files. */
interface FixturePackage {
  readonly exports: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
}

const pkgs: Readonly<Record<string, FixturePackage>> = {
  boxes: {
    exports: { ".": "index", "./tf": "tf" },
    files: {
      "index.ts": "export const boxes = 1;\n",
      "internal/helper.ts": "export const helper = 1;\n",
      "tf.ts": 'export * from "./tf/iou.js";\n',
      // allowed: the ./tf entry imports tfjs itself
      "tf/iou.ts": 'import * as tf from "@tensorflow/tfjs-core";\nexport const iouT = tf;\n',
      // boxes-core-without-tfjs
      "core-uses-tf.ts": 'import { iouT } from "./tf/iou.js";\nexport const x = iouT;\n',
      // graph-boxes: upward
      "upward.ts": 'import { ssd } from "@od/ssd";\nexport const y = ssd;\n',
    },
  },
  tf: {
    exports: { ".": "index", "./node": "node" },
    files: {
      // allowed: @od/tf imports tfjs and @od/boxes
      "index.ts":
        'import * as tf from "@tensorflow/tfjs-core";\nimport { boxes } from "@od/boxes";\nexport { tf, boxes };\n',
      // allowed: the Node entry imports Node built-ins
      "node.ts": 'import { isMainThread } from "node:worker_threads";\nexport const main = isMainThread;\n',
    },
  },
  priors: {
    exports: { ".": "index" },
    files: {
      "index.ts": 'export { a } from "./a.js";\n',
      // no-cycle (reported once per cycle)
      "a.ts": 'import { b } from "./b.js";\nexport const a = () => b;\n',
      "b.ts": 'import { a } from "./a.js";\nexport const b = () => a;\n',
    },
  },
  augment: {
    exports: { ".": "index" },
    files: {
      "index.ts": 'import { boxes } from "@od/boxes";\nexport const augment = boxes;\n',
      // no-other-package-internal
      "deep.ts": 'import { helper } from "../../boxes/dist/internal/helper.js";\nexport const z = helper;\n',
    },
  },
  data: {
    exports: { ".": "index", "./node": "node" },
    files: {
      // node-builtins-only-behind-node-entries (the main entry reaches node:fs through reader.ts)
      "index.ts": 'export { read } from "./reader.js";\n',
      "reader.ts": 'import { readFileSync } from "node:fs";\nexport const read = readFileSync;\n',
      // allowed: the Node entry
      "node.ts": 'import path from "node:path";\nexport const join = path.join;\n',
      // graph-data: a sibling
      "sideways.ts": 'import { augment } from "@od/augment";\nexport const s = augment;\n',
    },
  },
  metrics: {
    exports: { ".": "index" },
    files: {
      "index.ts": "export const metrics = 1;\n",
      // no-path-into-other-package
      "bypass.ts": 'import { boxes } from "../../boxes/src/index.js";\nexport const b = boxes;\n',
      // tensors-only-where-needed
      "tensors.ts": 'import { iouT } from "@od/boxes/tf";\nexport const t = iouT;\n',
    },
  },
  losses: {
    exports: { ".": "index" },
    files: {
      // allowed: a tensor package imports @od/tf and @od/boxes/tf
      "index.ts":
        'import { tf } from "@od/tf";\nimport { iouT } from "@od/boxes/tf";\nexport const l = [tf, iouT];\n',
      // no-unresolvable: internal/* is not exported
      "missing.ts": 'import { helper } from "@od/boxes/internal/helper.js";\nexport const m = helper;\n',
    },
  },
  ssd: {
    exports: { ".": "index" },
    files: {
      "index.ts": 'import { tf } from "@od/tf";\nexport const ssd = tf;\n',
      // tfjs-only-through-od-tf
      "direct.ts": 'import * as tf from "@tensorflow/tfjs-core";\nexport const d = tf;\n',
    },
  },
  train: {
    exports: { ".": "index", "./node": "node" },
    files: {
      // node-builtins-only-behind-node-entries (another package's /node entry)
      "index.ts": 'import { join } from "@od/data/node";\nexport const train = join;\n',
      "node.ts": 'import { join } from "@od/data/node";\nexport const trainNode = join;\n',
    },
  },
  cli: {
    exports: { ".": "index" },
    files: {
      // allowed: the Node-only CLI uses Node built-ins and anything below it
      "index.ts":
        'import { readFileSync } from "node:fs";\nimport { train } from "@od/train";\nexport const c = [readFileSync, train];\n',
    },
  },
  newpkg: {
    exports: { ".": "index" },
    files: {
      // graph-unlisted-package
      "index.ts": 'import { boxes } from "@od/boxes";\nexport const n = boxes;\n',
    },
  },
};

/** Every violation the rules must report: `rule from -> to`. */
const expected = [
  "boxes-core-without-tfjs packages/boxes/src/core-uses-tf.ts -> packages/boxes/src/tf/iou.ts",
  "graph-boxes packages/boxes/src/upward.ts -> packages/ssd/dist/index.d.ts",
  "graph-data packages/data/src/sideways.ts -> packages/augment/dist/index.d.ts",
  "graph-unlisted-package packages/newpkg/src/index.ts -> packages/boxes/dist/index.d.ts",
  "no-cycle packages/priors/src/a.ts -> packages/priors/src/b.ts",
  "no-other-package-internal packages/augment/src/deep.ts -> packages/boxes/dist/internal/helper.js",
  "no-path-into-other-package packages/metrics/src/bypass.ts -> packages/boxes/src/index.ts",
  "no-unresolvable packages/losses/src/missing.ts -> @od/boxes/internal/helper.js",
  "node-builtins-only-behind-node-entries packages/data/src/index.ts -> fs",
  "node-builtins-only-behind-node-entries packages/train/src/index.ts -> packages/data/dist/node.d.ts",
  "tensors-only-where-needed packages/metrics/src/tensors.ts -> packages/boxes/dist/tf.d.ts",
  "tfjs-only-through-od-tf packages/ssd/src/direct.ts -> node_modules/@tensorflow/tfjs-core/index.d.ts",
];

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Writes the fixture workspace: packages with exports maps and built stubs, node_modules links. */
function writeFixture(root: string): void {
  write(path.join(root, "package.json"), '{ "private": true, "type": "module" }\n');
  write(
    path.join(root, "node_modules/@tensorflow/tfjs-core/package.json"),
    '{ "name": "@tensorflow/tfjs-core", "types": "index.d.ts" }\n',
  );
  write(
    path.join(root, "node_modules/@tensorflow/tfjs-core/index.d.ts"),
    "export declare const tensor: number;\n",
  );
  for (const [name, pkg] of Object.entries(pkgs)) {
    const dir = path.join(root, "packages", name);
    const exportsMap: Record<string, unknown> = { "./internal/*": null };
    for (const [sub, file] of Object.entries(pkg.exports)) {
      exportsMap[sub] = { types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` };
      write(path.join(dir, "dist", `${file}.d.ts`), "export {};\n");
    }
    write(path.join(dir, "dist/internal/helper.js"), "export const helper = 1;\n");
    write(
      path.join(dir, "package.json"),
      `${JSON.stringify({ name: `@od/${name}`, type: "module", exports: exportsMap }, null, 2)}\n`,
    );
    for (const [file, text] of Object.entries(pkg.files)) write(path.join(dir, "src", file), text);
    mkdirSync(path.join(root, "node_modules/@od"), { recursive: true });
    symlinkSync(path.join("..", "..", "packages", name), path.join(root, "node_modules/@od", name), "dir");
  }
}

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** Runs dependency-cruiser with the repository's rules in `root`; returns each violation as text. */
function cruise(root: string): string[] {
  let out: string;
  try {
    out = execFileSync(process.execPath, [depcruise, "--config", config, "-T", "json", "packages"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
  } catch (e) {
    // dependency-cruiser exits with the number of errors; the JSON is on stdout either way.
    out = (e as { stdout: string }).stdout;
  }
  const result = JSON.parse(out) as { summary: { violations: Violation[] } };
  return result.summary.violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`).sort();
}

describe("package-graph rules (.dependency-cruiser.cjs)", () => {
  let root = "";
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "od-package-graph-"));
    writeFixture(root);
  });
  afterAll(() => {
    if (root !== "") rmSync(root, { recursive: true, force: true });
  });

  test("report every violation of the fixture and nothing it allows", () => {
    expect(cruise(root)).toEqual(expected);
  });

  test("exit with an error code when a rule is broken (what fails `npm run deps`)", () => {
    let status = 0;
    try {
      execFileSync(process.execPath, [depcruise, "--config", config, "-T", "err", "packages/ssd"], {
        cwd: root,
        stdio: "pipe",
      });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBeGreaterThan(0);
  });
});
