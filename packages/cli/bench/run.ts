/**
 * How long the command-line tool takes from launch to exit, as a user sees it: each case runs the
 * built executable (`dist/bin.js`, what the bin launches) in a fresh Node process. Prints one JSON
 * object per line with the median and minimum wall-clock ms of the runs and, on Linux, the CPU ms per
 * run (user + system of the child, all its threads; unlike wall-clock time, other processes competing
 * for the cores hardly change it):
 * - `--help`: loading the program and everything it imports (tfjs and the od packages);
 * - `backend`: the same plus selecting and initialising the tfjs backend (wasm, its threaded build);
 * - `data check` of the shipped BCCD slice (`demo-data/bccd`, 80 images): reading and validating a
 *   VOC dataset.
 * Training and prediction speed are measured by `packages/integration/bench/run.ts`.
 *
 * Usage: npx tsx bench/run.ts [--quick]   (after `npm run build`)
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
const demo = fileURLToPath(new URL("../demo-data/bccd", import.meta.url));
const runs = process.argv.includes("--quick") ? 2 : 5;

if (!existsSync(bin)) {
  console.error(`bench: ${bin} is missing; run "npm run build" first`);
  process.exit(2);
}

/**
 * CPU ms used so far by this process's waited-for children (`cutime + cstime` of /proc/self/stat, in
 * clock ticks of 10 ms), or `undefined` where /proc is not available.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

/** Wall-clock ms of one run of the executable; throws when it does not exit 0. */
function runOnce(args: readonly string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
  return ms;
}

for (const [name, args] of [
  ["--help (load the program)", ["--help"]],
  ["backend (load + initialise the tfjs backend)", ["backend"]],
  ["data check of the shipped BCCD slice (80 images)", ["data", "check", demo]],
] as const) {
  runOnce(args); // warm the file-system cache
  const cpu0 = childrenCpuMs();
  const ms = Array.from({ length: runs }, () => runOnce(args)).sort((a, b) => a - b);
  const cpu1 = childrenCpuMs();
  console.log(
    JSON.stringify({
      package: "@od/cli",
      bench: name,
      runs,
      ms_median: ms[ms.length >> 1],
      ms_min: ms[0],
      cpu_ms_per_run: cpu0 === undefined || cpu1 === undefined ? null : (cpu1 - cpu0) / runs,
    }),
  );
}
