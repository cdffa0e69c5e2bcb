/**
 * Class names that are probably one class written two ways: `RBC` and `rbc`, `red blood cell` and
 * `red_blood_cell`, `café` composed and decomposed, `Platelets` and `Plateletts`. Loaders take every
 * distinct name as its own class, so such variants silently split a class; these functions find them.
 * @module
 */

/**
 * How two class names resemble each other, checked in this order:
 * - `case`: equal ignoring letter case (`RBC` / `rbc`);
 * - `unicode`: equal after Unicode NFKC normalisation and ignoring case (composed / decomposed accents,
 *   full-width letters);
 * - `spacing`: equal ignoring case and the separators space, `_` and `-` (`red blood cell` / `Red-Blood-Cell`);
 * - `one-edit`: one insertion, deletion, substitution or swap of adjacent letters apart, ignoring case, when
 *   both names have at least {@link MIN_TYPO_LENGTH} characters (`Platelets` / `Plateletts`, not `RBC` / `WBC`).
 */
export type ClassNameSimilarity = "case" | "unicode" | "spacing" | "one-edit";

/** Names shorter than this (in code points) are never reported as `one-edit` typos of each other. */
export const MIN_TYPO_LENGTH = 4;

/** Two class names that are probably one class. */
export interface SimilarClassNames {
  /** The two names, in the order of the class list. */
  readonly names: readonly [string, string];
  /** How they resemble each other. */
  readonly similarity: ClassNameSimilarity;
}

function normalized(s: string): string {
  return s.normalize("NFKC").toLowerCase();
}

function separatorless(s: string): string {
  return normalized(s).replace(/[\s_-]+/gu, "");
}

/** True when `a` and `b` (code point arrays) are at most one edit apart (optimal string alignment). */
function withinOneEdit(a: readonly string[], b: readonly string[]): boolean {
  if (a.length < b.length) return withinOneEdit(b, a);
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  if (i === b.length) return true; // equal, or a has one extra letter at the end
  if (a.length > b.length) return a.slice(i + 1).join("") === b.slice(i).join(""); // deletion
  if (a.slice(i + 1).join("") === b.slice(i + 1).join("")) return true; // substitution
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2).join("") === b.slice(i + 2).join(""); // swap
}

/** How `a` resembles `b` (two distinct names), or `undefined`. */
function similarity(a: string, b: string): ClassNameSimilarity | undefined {
  if (a === b) return undefined;
  if (a.toLowerCase() === b.toLowerCase()) return "case";
  const na = normalized(a);
  const nb = normalized(b);
  if (na === nb) return "unicode";
  if (separatorless(a) === separatorless(b)) return "spacing";
  const ca = Array.from(na);
  const cb = Array.from(nb);
  if (Math.min(ca.length, cb.length) >= MIN_TYPO_LENGTH && withinOneEdit(ca, cb)) return "one-edit";
  return undefined;
}

/**
 * Every pair of names in a class list that is probably one class (see {@link ClassNameSimilarity}).
 * O(C²) cheap comparisons (C = 1,000 classes: 0.5 M pairs).
 * @param classNames e.g. `dataset.classNames`.
 * @returns pairs in list order (first name's index, then the second's); empty when none.
 */
export function similarClassNames(classNames: readonly string[]): SimilarClassNames[] {
  const out: SimilarClassNames[] = [];
  for (let i = 0; i < classNames.length; i++) {
    for (let j = i + 1; j < classNames.length; j++) {
      const a = classNames[i]!;
      const b = classNames[j]!;
      const s = similarity(a, b);
      if (s !== undefined) out.push({ names: [a, b], similarity: s });
    }
  }
  return out;
}

/**
 * The name of `classNames` that `name` (not in the list) most likely means: the only one that is
 * similar to it (see {@link ClassNameSimilarity}), or `undefined` when none or several are.
 * Used for "did you mean" hints on unknown classes.
 */
export function closestClassName(name: string, classNames: readonly string[]): string | undefined {
  const hits = classNames.filter((c) => similarity(name, c) !== undefined);
  return hits.length === 1 ? hits[0] : undefined;
}
