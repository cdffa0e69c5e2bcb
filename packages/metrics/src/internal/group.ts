/** Indices grouped by class: members of class c are `idx[start[c] .. start[c + 1])`, in input order. */
export interface Groups {
  /** `[K + 1]` offsets. */
  readonly start: Int32Array;
  /** `[N]` indices. */
  readonly idx: Int32Array;
}

/** Counting sort of `labels` (values in [0, k)) into per-class index lists, stable. */
export function groupByClass(labels: Int32Array, k: number): Groups {
  const start = new Int32Array(k + 1);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]! + 1;
    start[c]!++;
  }
  for (let c = 0; c < k; c++) start[c + 1]! += start[c]!;
  const fill = start.slice(0, k);
  const idx = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    const f = fill[c]!;
    idx[f] = i;
    fill[c] = f + 1;
  }
  return { start, idx };
}

/**
 * Sorts `idx[from..to)` in place by `scores[idx]` descending; equal scores keep their current order
 * (insertion sort: stable, and fast for the short per-image, per-class lists it is used on).
 */
export function sortByScoreDesc(idx: Int32Array, from: number, to: number, scores: Float32Array): void {
  for (let i = from + 1; i < to; i++) {
    const v = idx[i]!;
    const s = scores[v]!;
    let j = i - 1;
    while (j >= from) {
      const prev = idx[j]!;
      if (!(scores[prev]! < s)) break;
      idx[j + 1] = prev;
      j--;
    }
    idx[j + 1] = v;
  }
}

/**
 * Stable ordering of a global detection list: score descending, then `order` ascending (the caller's
 * position: image order, then rank within the image). Returns the permutation.
 */
export function stableOrder(scores: Float32Array, n: number): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  perm.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return perm;
}
