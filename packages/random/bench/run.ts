/**
 * Cost of seeding and drawing. Prints one JSON object per line: `{ name, n, ns_per_op }`.
 * Run: npx tsx bench/run.ts [n=1000000]
 */
import { random, rngFor, seededRng } from "@od/random";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

const N = Number(process.argv[2] ?? 1_000_000);
/** Keeps the timed loops observable so they are not optimised away. */
let checksum = 0;

function time(name: string, run: () => number): void {
  run();
  const t0 = performance.now();
  checksum += run();
  const ns = ((performance.now() - t0) * 1e6) / N;
  console.log(JSON.stringify({ name, n: N, ns_per_op: Math.round(ns * 100) / 100 }));
}

time("seededRng(seed)", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += seededRng(i).getState()[0]!;
  return s;
});
time("pure-rand xoroshiro128plus(seed) (reference seeding)", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += xoroshiro128plus(i).getState()[0]!;
  return s;
});
time("rngFor(seed, epoch, stream, position)", () => {
  let s = 0;
  for (let i = 0; i < N; i++) s += rngFor(0, 1, 2, i).getState()[0]!;
  return s;
});
time("random(rng)", () => {
  const rng = seededRng(1);
  let s = 0;
  for (let i = 0; i < N; i++) s += random(rng);
  return s;
});

if (!Number.isFinite(checksum)) console.error("non-finite checksum");
