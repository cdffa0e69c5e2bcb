#!/usr/bin/env node
// Proves the npm story for every published package: each workspace package under packages/* that is
// not private is built, `npm pack`ed (the tarball must hold LICENSE, identical to the repository's,
// and every file its `exports` map names), installed from the tarballs into a fresh project OUTSIDE
// the workspace (in the OS temp dir), and used from TypeScript with `skipLibCheck: false` and the
// tsconfig README.md documents for consumers (its "Using the packages from TypeScript" section), once
// as written and once with the strictest extra flags. Every public entry point (each `exports` subpath)
// is imported; the passing files are run with node, and the installed `odet` bin is started. Files
// marked `fail` must NOT compile (a format mix-up, a deep import into internals) and the compiler
// output must name the expected problem.
//
//   node scripts/consumer-check.mjs            (root: npm run consumer)
//   node scripts/consumer-check.mjs --keep     keeps the temp project for inspection
//
// New packages are picked up from packages/* without edits here.
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const pinned = rootPkg.devDependencies ?? {};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

/** The README section whose first ```json block is the consumer tsconfig. */
const TSCONFIG_SECTION = "## Using the packages from TypeScript";
/** Flags a strict consumer may add on top of the documented tsconfig; our declarations must pass them. */
const STRICTEST = { noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true };

class CheckFailed extends Error {}

/** Reports a failure and stops the check (the temp project is kept for inspection). */
function die(message, detail) {
  console.error(`consumer-check: FAILED: ${message}`);
  if (detail) console.error(String(detail).trim());
  throw new CheckFailed(message);
}

/** Runs a command; returns { ok, out } with stdout+stderr, never throws. */
function run(cmd, args, cwd) {
  try {
    const out = execFileSync(cmd, args, {
      cwd,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    return { ok: true, out };
  } catch (e) {
    return { ok: false, out: `${e.stdout ?? ""}${e.stderr ?? ""}` || String(e) };
  }
}

function step(label) {
  console.log(`consumer-check: ${label}`);
}

/** The published workspace packages: packages/<dir>/package.json without `"private": true`. */
function publishedPackages() {
  const dirs = readdirSync(join(root, "packages"), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, "packages", d.name, "package.json")))
    .map((d) => d.name)
    .sort();
  return dirs
    .map((d) => ({
      dir: `packages/${d}`,
      pkg: JSON.parse(readFileSync(join(root, "packages", d, "package.json"), "utf8")),
    }))
    .filter((p) => p.pkg.private !== true)
    .map((p) => ({ ...p, name: p.pkg.name }));
}

/** Public entry points of a package: `@od/x`, `@od/x/sub`, ... (no wildcards, no package.json). */
function entryPoints(p) {
  const exp = p.pkg.exports;
  if (exp === undefined) return [p.name];
  const keys = typeof exp === "string" ? ["."] : Object.keys(exp);
  return keys
    .filter((k) => k === "." || (k.startsWith("./") && !k.includes("*") && k !== "./package.json"))
    .filter((k) => exp[k] !== null)
    .map((k) => (k === "." ? p.name : `${p.name}/${k.slice(2)}`));
}

/** Files an exports map points at (every condition's target), relative to the package. */
function exportTargets(exp) {
  const out = [];
  const walk = (v) => {
    if (typeof v === "string") {
      if (!v.includes("*")) out.push(v.replace(/^\.\//, ""));
    } else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(exp);
  return out;
}

/** The consumer tsconfig README.md documents (first ```json block of its TypeScript section). */
function documentedTsconfig() {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const at = readme.indexOf(`\n${TSCONFIG_SECTION}\n`);
  if (at < 0) die(`README.md has no "${TSCONFIG_SECTION}" section with the consumer tsconfig`);
  const block = /```json\n([\s\S]*?)\n```/.exec(readme.slice(at));
  if (!block) die(`README.md "${TSCONFIG_SECTION}" has no \`\`\`json block`);
  try {
    const cfg = JSON.parse(block[1]);
    if (typeof cfg.compilerOptions !== "object") throw new Error("no compilerOptions");
    if (cfg.compilerOptions.skipLibCheck !== false) throw new Error("it must say skipLibCheck: false");
    return cfg;
  } catch (e) {
    die(`the README's consumer tsconfig is not usable: ${e.message}`, block[1]);
  }
}

/** A consumer file that imports every entry point and prints how many exports each has. */
function everyEntryPointSource(specifiers) {
  const lines = specifiers.map((s, i) => `import * as m${i} from "${s}";`);
  lines.push(
    `const entries: Record<string, number> = {};`,
    ...specifiers.map((s, i) => `entries[${JSON.stringify(s)}] = Object.keys(m${i}).length;`),
    "console.log(JSON.stringify(entries));",
    "",
  );
  return lines.join("\n");
}

const FIXED_FILES = [
  {
    file: "boxes.ts",
    expect: "pass",
    source: `import { boxes, convert, toRel, iou, isOdError, type Boxes } from "@od/boxes";

const gt: Boxes<"xyxy", "px"> = boxes([[10, 20, 50, 80]], "xyxy", "px");
const c = convert(gt, "cxcywh");
const rel = toRel(gt, { width: 100, height: 100 });
let runtime = "no error";
try {
  iou(gt, c as never); // a plain-JS style mix-up must still fail at run time
} catch (e) {
  runtime = isOdError(e, "FORMAT_MISMATCH") ? e.message : String(e);
}
console.log(JSON.stringify({ c: Array.from(c.data), rel: Array.from(rel.data), self: iou(gt, gt)[0], runtime }));
`,
    stdout:
      '{"c":[30,50,40,60],"rel":[0.10000000149011612,0.20000000298023224,0.5,0.800000011920929],"self":1,"runtime":"iou: a is xyxy but b is cxcywh; convert() one of them first"}',
  },
  {
    file: "pipeline.ts",
    expect: "pass",
    source: `import { boxes, toRel } from "@od/boxes";
import { CLI_NAME, EXIT, runCli } from "@od/cli";
import { DetectionEvaluator } from "@od/metrics";
import { encodeTargets, generatePriors, SSD300_VGG16 } from "@od/priors";
import { defaultSsdConfig, SsdDetector } from "@od/ssd";
import { initBackend } from "@od/tf";

const priors = generatePriors(SSD300_VGG16);
const gt = boxes([[48, 40, 120, 130]], "xyxy", "px");
const targets = encodeTargets(toRel(gt, SSD300_VGG16.imageSize), [1], priors);

const ev = new DetectionEvaluator({ classNames: ["cell"] });
ev.add({ boxes: gt, labels: Int32Array.of(0) }, { boxes: gt, scores: Float32Array.of(0.9), labels: Int32Array.of(0) });

const backend = await initBackend({ prefer: ["cpu"] });
const detector = new SsdDetector(
  defaultSsdConfig({
    classNames: ["cell"],
    inputSize: { width: 64, height: 64 },
    backbone: { kind: "mobilenet", widthMultiplier: 0.25, taps: [8, 16, 32] },
  }),
);
const [det] = await detector.predict([{ data: new Uint8Array(48 * 64 * 3), shape: [48, 64, 3] }]);
detector.dispose();

let version = "";
const code = await runCli(["--version"], { stdout: { write: (s: string) => (version += s) }, stderr: { write: () => true } });
console.log(
  JSON.stringify({
    priors: priors.length,
    positives: targets.numPositive > 0,
    vocMap: ev.computeVoc().mAP,
    backend: backend.name,
    detections: det === undefined ? null : [det.boxes.format, det.boxes.units],
    cli: [CLI_NAME, code === EXIT.ok, version.trim()],
  }),
);
`,
    stdout:
      '{"priors":8732,"positives":true,"vocMap":1,"backend":"cpu","detections":["xyxy","px"],"cli":["odet",true,"0.0.0"]}',
  },
  {
    file: "image.ts",
    expect: "pass",
    source: `import { isOdError, letterboxRecord } from "@od/boxes";
import { checkImage, letterboxImage, toUint8Image, toUnitImage, type Uint8Image, uint8Image } from "@od/image";

const bytes: Uint8Image = uint8Image(Uint8Array.of(0, 255, 0, 255, 0, 255), 2, 1);
const unit = toUnitImage(bytes);
const back = toUint8Image(unit);
const boxed = letterboxImage(bytes, letterboxRecord({ width: 2, height: 1 }, { width: 2, height: 2 }));
let runtime = "no error";
try {
  checkImage("consumer", "image", unit, ["0-255"]); // a plain-JS style mix-up must still fail at run time
} catch (e) {
  runtime = isOdError(e, "RANGE_MISMATCH") ? e.message : String(e);
}
console.log(JSON.stringify({ unit: Array.from(unit.data), back: Array.from(back.data), boxed: boxed.shape, range: boxed.range, runtime }));
`,
    stdout:
      '{"unit":[0,1,0,1,0,1],"back":[0,255,0,255,0,255],"boxed":[2,2,3],"range":"0-255","runtime":"consumer: image must be a \\"0-255\\" image; got a \\"0-1\\" image; call toUint8Image() first"}',
  },
  {
    file: "imagemixup.ts",
    expect: "fail",
    source: `import { toUnitImage, type Uint8Image, uint8Image } from "@od/image";

const unit = toUnitImage(uint8Image(new Uint8Array(3), 1, 1));
const bytes: Uint8Image = unit; // must not compile: [0, 1] floats are not [0, 255] bytes
void bytes;
`,
    mustMention: ["imagemixup.ts(4,", '"0-1"', '"0-255"'],
  },
  {
    file: "mixup.ts",
    expect: "fail",
    source: `import { boxes, convert, iou } from "@od/boxes";

const a = boxes([[10, 20, 50, 80]], "xyxy", "px");
const b = convert(a, "cxcywh");
iou(a, b); // must not compile: xyxy vs cxcywh
`,
    mustMention: ["mixup.ts(5,", '"cxcywh"', '"xyxy"'],
  },
];

/** A file importing one internal module of every package: each import must be refused. */
function internalsFile(packages) {
  const specs = packages.map((p) => `${p.name}/internal/x.js`);
  return {
    file: "internal.ts",
    expect: "fail",
    source: `${specs.map((s, i) => `import * as i${i} from "${s}";`).join("\n")}\nvoid [${specs.map((_, i) => `i${i}`).join(", ")}];\n`,
    mustMention: specs,
  };
}

const work = mkdtempSync(join(tmpdir(), "od-consumer-"));
const keep = process.argv.includes("--keep");
let failed = true;
try {
  if (!pinned.typescript) die("root package.json has no devDependencies.typescript");
  const licenseText = readFileSync(join(root, "LICENSE"), "utf8");
  const packages = publishedPackages();
  if (packages.length === 0) die("no published packages under packages/");

  // 1. build
  step(`building ${packages.length} packages`);
  const b = run(npx, ["tsc", "-b", ...packages.map((p) => p.dir)], root);
  if (!b.ok) die("tsc -b failed", b.out);

  // 2. pack: LICENSE and every exported file in each tarball
  const packs = join(work, "packs");
  mkdirSync(packs);
  const tarballs = [];
  for (const p of packages) {
    step(`packing ${p.name}`);
    const own = join(root, p.dir, "LICENSE");
    if (!existsSync(own) || readFileSync(own, "utf8") !== licenseText)
      die(`${p.dir}/LICENSE is missing or differs from the repository's LICENSE (cp LICENSE ${p.dir}/)`);
    if (p.pkg.license !== "MIT") die(`${p.dir}/package.json: license must be "MIT" (got ${p.pkg.license})`);
    const r = run(npm, ["pack", join(root, p.dir), "--pack-destination", packs, "--json", "--silent"], root);
    if (!r.ok) die(`npm pack ${p.dir} failed`, r.out);
    const json = JSON.parse(r.out.slice(r.out.indexOf("[")));
    const filename = json[0]?.filename;
    if (!filename) die(`npm pack ${p.dir} printed no file name`, r.out);
    const files = new Set((json[0].files ?? []).map((f) => f.path));
    const missing = ["LICENSE", ...exportTargets(p.pkg.exports ?? {})].filter((f) => !files.has(f));
    if (missing.length > 0) die(`${p.name} tarball lacks ${missing.join(", ")}`, [...files].join("\n"));
    tarballs.push(join(packs, filename.replace(/^@[^/]+\//, "").replace("/", "-")));
  }

  // 3. consumer project outside the workspace
  const app = join(work, "app");
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify({ name: "od-consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  const specifiers = packages.flatMap(entryPoints);
  const files = [
    { file: "entry-points.ts", expect: "pass", source: everyEntryPointSource(specifiers) },
    ...FIXED_FILES,
    internalsFile(packages),
  ];
  for (const f of files) writeFileSync(join(app, "src", f.file), f.source);
  const pass = files.filter((f) => f.expect === "pass");
  const documented = documentedTsconfig();
  const compilerOptions = documented.compilerOptions;
  const writeConfig = (name, options, list) =>
    writeFileSync(
      join(app, name),
      `${JSON.stringify({ ...documented, compilerOptions: options, files: list }, null, 2)}\n`,
    );
  writeConfig(
    "tsconfig.json",
    compilerOptions,
    pass.map((f) => `src/${f.file}`),
  );

  // Peer dependencies the entry points need (fast-check for @od/boxes/arbitraries, ...), at the
  // versions the workspace pins; peers it does not pin (tfjs-node) stay optional and uninstalled.
  const workspaceNames = new Set(packages.map((p) => p.name));
  const peers = [...new Set(packages.flatMap((p) => Object.keys(p.pkg.peerDependencies ?? {})))].filter(
    (n) => !workspaceNames.has(n) && pinned[n] !== undefined,
  );
  const extras = [`typescript@${pinned.typescript}`, ...peers.map((n) => `${n}@${pinned[n]}`)];
  if (pinned["@types/node"]) extras.push(`@types/node@${pinned["@types/node"]}`);
  step(`installing ${tarballs.length} tarballs and ${extras.join(", ")} in ${app}`);
  const inst = run(
    npm,
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-package-lock", ...tarballs, ...extras],
    app,
  );
  if (!inst.ok) die("npm install in the consumer project failed", inst.out);
  const tsc = join(app, "node_modules", "typescript", "bin", "tsc");

  // 4. type-check (as documented, then with the strictest extra flags) and run the passing files
  step("type-checking the consumer with the README's tsconfig (must pass)");
  const ok = run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
  if (!ok.ok) die("the consumer project does not type-check with the README's tsconfig", ok.out);
  step(`type-checking again with ${Object.keys(STRICTEST).join(", ")} (must pass)`);
  writeConfig(
    "tsconfig.strictest.json",
    { ...compilerOptions, ...STRICTEST, noEmit: true },
    pass.map((f) => `src/${f.file}`),
  );
  const strict = run(process.execPath, [tsc, "-p", "tsconfig.strictest.json"], app);
  if (!strict.ok) die("the consumer project does not type-check with the strictest flags", strict.out);
  const outDir = compilerOptions.outDir ?? "dist";
  for (const f of pass) {
    const js = join(outDir, f.file.replace(/\.ts$/, ".js"));
    step(`running ${js}`);
    const r = run(process.execPath, [js], app);
    if (!r.ok) die(`node ${js} exited with an error`, r.out);
    if (f.file === "entry-points.ts") {
      const seen = Object.keys(JSON.parse(r.out.trim().split("\n").at(-1)));
      if (seen.join() !== specifiers.join()) die("not every entry point loaded", r.out);
    } else if (f.stdout !== undefined && r.out.trim() !== f.stdout) {
      die(`unexpected output of ${f.file}`, `expected: ${f.stdout}\nactual:   ${r.out.trim()}`);
    }
  }

  // 5. the installed bin
  for (const p of packages) {
    for (const name of Object.keys(typeof p.pkg.bin === "string" ? { [p.name]: 1 } : (p.pkg.bin ?? {}))) {
      step(`running the installed bin: ${name} --version`);
      const r = run(join(app, "node_modules", ".bin", name), ["--version"], app);
      if (!r.ok || r.out.trim() !== p.pkg.version) die(`${name} --version failed in the consumer`, r.out);
    }
  }

  // 6. each failing file alone must not compile, for the expected reason
  for (const f of files.filter((x) => x.expect === "fail")) {
    step(`type-checking ${f.file} (must fail)`);
    const cfg = `tsconfig.${f.file.replace(/\.ts$/, "")}.json`;
    // The error must be in the consumer's own code; the declarations were checked above.
    writeConfig(cfg, { ...compilerOptions, noEmit: true, skipLibCheck: true }, [`src/${f.file}`]);
    const r = run(process.execPath, [tsc, "-p", cfg], app);
    if (r.ok) die(`${f.file} compiled, but it must be a type error`, f.source);
    const missing = (f.mustMention ?? []).filter((m) => !r.out.includes(m));
    if (missing.length > 0) {
      die(`${f.file} failed to compile, but not as expected (missing ${missing.join(", ")})`, r.out);
    }
  }
  failed = false;
  console.log(
    `consumer-check: OK (${packages.length} packages, ${specifiers.length} entry points: ${specifiers.join(", ")}; ${files.length} consumer files)`,
  );
} catch (e) {
  if (!(e instanceof CheckFailed))
    console.error(`consumer-check: FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
} finally {
  if (keep || failed) console.log(`consumer-check: project kept at ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
