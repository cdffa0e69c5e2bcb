#!/usr/bin/env node
// What a new user does first, as README.md tells them: clones the repository's committed HEAD into a
// temp folder, runs every command of README.md's ```sh blocks exactly as written (in the clone, in a
// clean environment, one after the other; only the commands in NOT_RUN are left out, each with its
// reason), checks the exit codes and outputs of the `odet` commands among them, then a few more
// first-contact behaviours (the bin linked by `npm ci`, help piped into `head`, no `od-*` files left in
// the temp folder), and removes the temp folder.
//
//   node scripts/readme-e2e.mjs            (root: npm run e2e; part of npm run test:all)
//   node scripts/readme-e2e.mjs --keep     keeps the clone for inspection
//
// `npm ci` uses the local npm cache first (npm_config_prefer_offline), as a machine that has installed
// the packages before would.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const keep = process.argv.includes("--keep");

/** README commands this check does not run, and why. */
const NOT_RUN = new Map([
  ["npm ci && npm run test:all", "it is the command that runs this check"],
  [
    "npm ci && npm run web",
    "it starts a server that runs until stopped; the browser suite of test:all (npm run test:web) covers the page",
  ],
  [
    "npm ci && npm run demo",
    "it trains for minutes; the one-epoch train and predict commands take the same path",
  ],
]);

class CheckFailed extends Error {}

function die(message, detail) {
  console.error(`readme-e2e: FAILED: ${message}`);
  if (detail) console.error(String(detail).trim());
  throw new CheckFailed(message);
}

function step(label) {
  console.log(`readme-e2e: ${label}`);
}

/** The lines of README.md's ```sh blocks (comments and blank lines dropped), in order. */
function readmeCommands(readme) {
  const commands = [];
  for (const m of readme.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    for (const line of m[1].split("\n")) {
      const t = line.trim();
      if (t !== "" && !t.startsWith("#")) commands.push(t);
    }
  }
  return commands;
}

/**
 * The environment of a fresh shell: the caller's, without what `npm run` adds (npm_* variables, which
 * would point npm at this checkout, and the node_modules/.bin folders it puts on PATH, which would let
 * `npx odet` find this checkout's bin instead of the clone's).
 */
function cleanEnv(tmp) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === "INIT_CWD" || k === "NODE_OPTIONS" || k === "NODE") continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((p) => !p.includes(`${sep}node_modules${sep}`) && !p.endsWith(`${sep}node_modules`))
    .join(delimiter);
  env.npm_config_prefer_offline = "true";
  env.npm_config_fund = "false";
  env.npm_config_audit = "false";
  env.npm_config_update_notifier = "false";
  env.TURBO_TELEMETRY_DISABLED = "1";
  env.TMPDIR = tmp;
  return env;
}

/** Runs a shell command line in the clone; returns code, stdout, stderr and seconds. */
function sh(line, cwd, env, shell = "sh") {
  const t0 = performance.now();
  const r = spawnSync(shell, ["-c", line], { cwd, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error) die(`cannot run ${shell} -c ${JSON.stringify(line)}: ${r.error.message}`);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, seconds };
}

/** The value after `flag` in a command line split on spaces (README commands have no quoting). */
function flagValue(line, flag) {
  const words = line.split(/\s+/);
  const i = words.indexOf(flag);
  return i >= 0 ? words[i + 1] : undefined;
}

function show(r) {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ""}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`;
}

/** `od-*` entries of a folder (what od's code and tests name their temp files). */
function odEntries(dir) {
  return readdirSync(dir).filter((n) => n.startsWith("od-"));
}

/**
 * stderr without npm's own notice about the repository's `.npmrc` switch `onnxruntime-node-install=skip`
 * (npm 11 warns about every project config key it does not know; the key is read by onnxruntime-node's
 * install script). What odet itself writes is kept.
 */
function odetStderr(stderr) {
  return stderr.replace(/^npm warn Unknown project config "onnxruntime-node-install".*\n/gm, "");
}

/** What each kind of README command must do beyond exiting 0, by its first words. */
const EXPECT = [
  {
    prefix: "npx odet --help",
    check(r) {
      if (!r.stdout.startsWith("Usage: odet ")) die("`npx odet --help` did not print odet's usage", show(r));
      for (const c of ["data", "priors", "show", "train", "eval", "predict", "export", "demo", "backend"])
        if (!new RegExp(`^  ${c}\\b`, "m").test(r.stdout))
          die(`\`npx odet --help\` does not list ${c}`, show(r));
    },
  },
  {
    prefix: "npx odet train ",
    check(r, line, clone) {
      const out = flagValue(line, "--out");
      if (!out) die(`the README's train command has no --out: ${line}`);
      if (!r.stdout.includes("run folder: ")) die("`odet train` printed no run folder line", show(r));
      if (!/^epoch 1\/\d+ /m.test(r.stdout)) die("`odet train` printed no epoch line", show(r));
      for (const f of ["config.json", "summary.json"])
        if (!existsSync(join(clone, out, f))) die(`the run folder ${out} has no ${f}`, show(r));
    },
  },
  {
    prefix: "npx odet export ",
    check(r, line, clone) {
      const out = flagValue(line, "--out");
      if (!out) die(`the README's export command has no --out: ${line}`);
      if (!existsSync(join(clone, out))) die(`\`odet export\` wrote no ${out}`, show(r));
    },
  },
  {
    prefix: "npx odet predict ",
    check(r, line, clone) {
      const out = flagValue(line, "--out");
      if (!out) die(`the README's predict command has no --out: ${line}`);
      const dir = join(clone, out);
      const det = join(dir, "detections.json");
      if (!existsSync(det)) die(`\`odet predict\` wrote no ${out}/detections.json`, show(r));
      if (!Array.isArray(JSON.parse(readFileSync(det, "utf8")))) die("detections.json is not an array");
      if (!readdirSync(dir).some((f) => f.endsWith(".png")))
        die(`\`odet predict\` wrote no annotated PNG in ${out}`);
    },
  },
];

const work = mkdtempSync(join(tmpdir(), "od-readme-e2e-"));
const timings = [];
try {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const commands = readmeCommands(readme);
  const toRun = commands.filter((c) => !NOT_RUN.has(c));
  for (const e of EXPECT)
    if (!toRun.some((c) => c.startsWith(e.prefix)))
      die(
        `README.md has no runnable \`${e.prefix.trim()} …\` command in a \`\`\`sh block`,
        commands.join("\n"),
      );
  for (const c of commands.filter((x) => NOT_RUN.has(x))) step(`not run: ${c} (${NOT_RUN.get(c)})`);

  // 1. a fresh clone of what is committed
  const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim();
  const dirty = spawnSync("git", ["status", "--porcelain"], { cwd: root, encoding: "utf8" }).stdout.trim();
  if (dirty) step("note: uncommitted changes are not part of the clone (it tests the committed HEAD)");
  const clone = join(work, "od");
  const tmp = join(work, "tmp");
  mkdirSync(tmp);
  step(`cloning ${root} at ${head.slice(0, 12)} into ${clone}`);
  for (const args of [
    ["clone", "--quiet", "--no-checkout", root, clone],
    ["-C", clone, "checkout", "--quiet", "--detach", head],
  ]) {
    const r = spawnSync("git", args, { encoding: "utf8" });
    if (r.status !== 0) die(`git ${args.join(" ")} failed`, r.stderr);
  }
  const env = cleanEnv(tmp);

  // 2. the README's commands, exactly as written
  for (const line of toRun) {
    step(`$ ${line}`);
    const r = sh(line, clone, env);
    timings.push([line, r.seconds]);
    if (r.code !== 0) die(`README command failed: ${line}`, show(r));
    EXPECT.find((e) => line.startsWith(e.prefix))?.check(r, line, clone);
    const left = odEntries(tmp);
    if (left.length > 0) die(`\`${line}\` left ${left.join(", ")} in the temp folder`);
  }

  // 3. first-contact behaviours around them
  step("the odet bin links to the committed launcher");
  const bin = join(clone, "node_modules", ".bin", "odet");
  if (
    !existsSync(bin) ||
    realpathSync(bin) !== realpathSync(join(clone, "packages", "cli", "bin", "odet.js"))
  )
    die("node_modules/.bin/odet is not the launcher packages/cli/bin/odet.js");

  step("$ npx odet help train | head -5");
  const h = sh("npx odet help train | head -5", clone, env);
  if (
    h.code !== 0 ||
    odetStderr(h.stderr) !== "" ||
    h.stdout.split("\n").length !== 6 ||
    !h.stdout.startsWith("Usage: odet train")
  )
    die("`npx odet help train | head -5` did not print 5 lines quietly", show(h));
  step("$ odet help train | true  (the reader is gone before odet writes: exit 141, nothing on stderr)");
  const p = sh(`set -o pipefail; "${bin}" help train | true; echo "exit $?"`, clone, env, "bash");
  if (p.stdout.trim() !== "exit 141" || p.stderr !== "") die("help into a closed pipe is not quiet", show(p));

  step("$ npx odet backend  (starts the threaded wasm build)");
  const b = sh("npx odet backend", clone, env);
  timings.push(["npx odet backend", b.seconds]);
  if (b.code !== 0 || !b.stdout.startsWith("backend: ")) die("`npx odet backend` failed", show(b));
  const left = odEntries(tmp);
  if (left.length > 0) die(`odet left ${left.join(", ")} in the temp folder`);

  step(`OK; seconds: ${timings.map(([l, s]) => `${s.toFixed(1)} ${l}`).join("; ")}`);
} catch (e) {
  if (!(e instanceof CheckFailed))
    console.error(`readme-e2e: FAILED: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
} finally {
  if (keep) console.log(`readme-e2e: clone kept at ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
