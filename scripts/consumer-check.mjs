#!/usr/bin/env node
// Proves the npm story: the packages below are built, `npm pack`ed, installed from their tarballs
// into a fresh project OUTSIDE the workspace (in the OS temp dir), imported by name from TypeScript,
// type-checked (NodeNext, strict), and run with node. Files marked `fail` must NOT compile (a format
// mix-up, a deep import into internals) and the compiler output must name the expected problem.
//
//   node scripts/consumer-check.mjs            (root: npm run consumer)
//   node scripts/consumer-check.mjs --keep     keeps the temp project for inspection
//
// To check another package, add it to PACKAGES (with its workspace dependencies before it) and add
// consumer files to FILES.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Workspace packages to pack and install, dependencies first. */
const PACKAGES = [{ name: "@od/boxes", dir: "packages/boxes" }];

/**
 * Consumer sources. `expect: "pass"` files are compiled together and run; their stdout must equal
 * `stdout`. Each `expect: "fail"` file is compiled alone and must fail with every `mustMention`
 * string in the compiler output.
 */
const FILES = [
  {
    file: "main.ts",
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
    file: "mixup.ts",
    expect: "fail",
    source: `import { boxes, convert, iou } from "@od/boxes";

const a = boxes([[10, 20, 50, 80]], "xyxy", "px");
const b = convert(a, "cxcywh");
iou(a, b); // must not compile: xyxy vs cxcywh
`,
    mustMention: ["mixup.ts(5,", '"cxcywh"', '"xyxy"'],
  },
  {
    file: "internal.ts",
    expect: "fail",
    source: `import { fail } from "@od/boxes/internal/check.js";
void fail;
`,
    mustMention: ["internal.ts(1,", "@od/boxes/internal/check.js"],
  },
];

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const rootPkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const tsVersion = rootPkg.devDependencies?.typescript;
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

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

if (!tsVersion) {
  console.error("consumer-check: FAILED: root package.json has no devDependencies.typescript");
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), "od-consumer-"));
const keep = process.argv.includes("--keep");
let failed = true;
try {
  // 1. build
  for (const p of PACKAGES) {
    step(`building ${p.name}`);
    const r = run(npx, ["tsc", "-b", p.dir], root);
    if (!r.ok) die(`tsc -b ${p.dir} failed`, r.out);
  }

  // 2. pack
  const packs = join(work, "packs");
  mkdirSync(packs);
  const tarballs = [];
  for (const p of PACKAGES) {
    step(`packing ${p.name}`);
    const r = run(npm, ["pack", join(root, p.dir), "--pack-destination", packs, "--json", "--silent"], root);
    if (!r.ok) die(`npm pack ${p.dir} failed`, r.out);
    const json = JSON.parse(r.out.slice(r.out.indexOf("[")));
    const filename = json[0]?.filename;
    if (!filename) die(`npm pack ${p.dir} printed no file name`, r.out);
    const files = (json[0].files ?? []).map((f) => f.path);
    if (!files.includes("dist/index.js") || !files.includes("dist/index.d.ts")) {
      die(`${p.name} tarball lacks dist/index.js or dist/index.d.ts`, files.join("\n"));
    }
    tarballs.push(join(packs, filename.replace(/^@[^/]+\//, "").replace("/", "-")));
  }

  // 3. consumer project outside the workspace
  const app = join(work, "app");
  mkdirSync(join(app, "src"), { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    `${JSON.stringify({ name: "od-consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  const compilerOptions = {
    target: "ES2022",
    lib: ["ES2023", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    skipLibCheck: false,
    types: [],
    outDir: "dist",
    rootDir: "src",
  };
  const pass = FILES.filter((f) => f.expect === "pass");
  for (const f of FILES) writeFileSync(join(app, "src", f.file), f.source);
  writeFileSync(
    join(app, "tsconfig.json"),
    `${JSON.stringify({ compilerOptions, files: pass.map((f) => `src/${f.file}`) }, null, 2)}\n`,
  );

  step(`installing ${tarballs.length} tarball(s) and typescript@${tsVersion} in ${app}`);
  const inst = run(
    npm,
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--no-package-lock",
      ...tarballs,
      `typescript@${tsVersion}`,
    ],
    app,
  );
  if (!inst.ok) die("npm install in the consumer project failed", inst.out);
  const tsc = join(app, "node_modules", "typescript", "bin", "tsc");

  // 4. type-check and run the passing files
  step("type-checking the consumer (must pass)");
  const ok = run(process.execPath, [tsc, "-p", "tsconfig.json"], app);
  if (!ok.ok) die("the consumer project does not type-check", ok.out);
  for (const f of pass) {
    step(`running dist/${f.file.replace(/\.ts$/, ".js")}`);
    const r = run(process.execPath, [join("dist", f.file.replace(/\.ts$/, ".js"))], app);
    if (!r.ok) die(`node dist/${f.file} exited with an error`, r.out);
    if (f.stdout !== undefined && r.out.trim() !== f.stdout) {
      die(`unexpected output of ${f.file}`, `expected: ${f.stdout}\nactual:   ${r.out.trim()}`);
    }
  }

  // 5. each failing file alone must not compile, for the expected reason
  for (const f of FILES.filter((x) => x.expect === "fail")) {
    step(`type-checking ${f.file} (must fail)`);
    const cfg = `tsconfig.${f.file.replace(/\.ts$/, "")}.json`;
    writeFileSync(
      join(app, cfg),
      JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: [`src/${f.file}`] }),
    );
    const r = run(process.execPath, [tsc, "-p", cfg], app);
    if (r.ok) die(`${f.file} compiled, but it must be a type error`, f.source);
    const missing = (f.mustMention ?? []).filter((m) => !r.out.includes(m));
    if (missing.length > 0) {
      die(`${f.file} failed to compile, but not as expected (missing ${missing.join(", ")})`, r.out);
    }
  }
  failed = false;
  console.log(
    `consumer-check: OK (${PACKAGES.map((p) => p.name).join(", ")}; ${FILES.length} consumer files)`,
  );
} catch (e) {
  if (!(e instanceof CheckFailed))
    console.error(`consumer-check: FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
} finally {
  if (keep || failed) console.log(`consumer-check: project kept at ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
