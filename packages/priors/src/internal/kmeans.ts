import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";

/** IoU of two boxes with the same centre: sizes (w1, h1), (w2, h2). */
export function centredIou(w1: number, h1: number, w2: number, h2: number): number {
  const inter = Math.min(w1, w2) * Math.min(h1, h2);
  const union = w1 * h1 + w2 * h2 - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * k-means on (w, h) pairs with distance 1 − IoU of centred boxes (YOLOv2's anchor clustering), k-means++
 * seeding from `rng`, centroids as member means. `wh` is `[N, 2]`; returns `[k', 2]` centroids (k' ≤ k when
 * there are fewer distinct points), sorted by area ascending.
 */
export function kmeansIou(wh: Float64Array, k: number, rng: RandomGenerator, iterations = 30): Float64Array {
  const n = wh.length >> 1;
  if (n === 0 || k <= 0) return new Float64Array(0);
  const kk = Math.min(k, n);
  const c = new Float64Array(kk * 2);
  // k-means++ seeding
  const d = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let pick = Math.min(n - 1, Math.floor(uniformFloat64(rng) * n));
  let got = 0;
  for (; got < kk; got++) {
    const cw = wh[2 * pick]!;
    const ch = wh[2 * pick + 1]!;
    c[2 * got] = cw;
    c[2 * got + 1] = ch;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = 1 - centredIou(wh[2 * i]!, wh[2 * i + 1]!, cw, ch);
      let di = d[i]!;
      if (v < di) {
        di = v;
        d[i] = v;
      }
      total += di ** 2;
    }
    if (got + 1 === kk) {
      got++;
      break;
    }
    if (total <= 0) {
      got++;
      break;
    }
    let r = uniformFloat64(rng) * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= d[i]! ** 2;
      if (r <= 0) {
        pick = i;
        break;
      }
    }
  }
  const K = got;
  const assign = new Int32Array(n).fill(-1);
  const sw = new Float64Array(K);
  const sh = new Float64Array(K);
  const cnt = new Int32Array(K);
  for (let it = 0; it < iterations; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      const w = wh[2 * i]!;
      const h = wh[2 * i + 1]!;
      let best = -1;
      let bi = 0;
      for (let j = 0; j < K; j++) {
        const v = centredIou(w, h, c[2 * j]!, c[2 * j + 1]!);
        if (v > best) {
          best = v;
          bi = j;
        }
      }
      if (assign[i] !== bi) {
        assign[i] = bi;
        changed = true;
      }
    }
    if (!changed && it > 0) break;
    sw.fill(0);
    sh.fill(0);
    cnt.fill(0);
    for (let i = 0; i < n; i++) {
      const j = assign[i]!;
      sw[j]! += wh[2 * i]!;
      sh[j]! += wh[2 * i + 1]!;
      cnt[j]!++;
    }
    for (let j = 0; j < K; j++) {
      const members = cnt[j]!;
      if (members === 0) continue;
      c[2 * j] = sw[j]! / members;
      c[2 * j + 1] = sh[j]! / members;
    }
  }
  const order = Array.from({ length: K }, (_, j) => j).sort(
    (a, b) => c[2 * a]! * c[2 * a + 1]! - c[2 * b]! * c[2 * b + 1]! || a - b,
  );
  const out = new Float64Array(K * 2);
  order.forEach((j, i) => {
    out[2 * i] = c[2 * j]!;
    out[2 * i + 1] = c[2 * j + 1]!;
  });
  return out;
}
