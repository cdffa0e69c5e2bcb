/**
 * Whether two sequences hold the same elements in the same order (`===` element by element): shapes
 * (`[2, 3]` vs `[2, 3]`), class-name lists (the same names in another order are not the same).
 */
export function sameSequence<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
