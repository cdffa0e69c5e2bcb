/**
 * Which epoch's weights a training in the page keeps: the one with the highest validation VOC
 * mAP@0.5, as `odet train` keeps `best/` (a later epoch replaces the kept one only when strictly
 * better, so ties keep the earlier epoch).
 * @module
 */

/**
 * Whether an epoch whose validation VOC mAP@0.5 is `valMap` replaces the kept epoch, whose mAP is
 * `keptMap` (`undefined` when none is kept yet).
 * @param keptMap mAP in [0, 1] of the kept epoch, or `undefined`.
 * @param valMap mAP in [0, 1] of the epoch just evaluated; `null` when there are no validation images.
 * @returns true for a finite `valMap` when nothing is kept yet or `valMap > keptMap`; false for
 *   `null` or a non-finite value (such an epoch is never kept).
 */
export function replacesKeptEpoch(keptMap: number | undefined, valMap: number | null): boolean {
  if (valMap === null || !Number.isFinite(valMap)) return false;
  return keptMap === undefined || valMap > keptMap;
}

/**
 * The 1-based epoch {@link replacesKeptEpoch} ends up keeping over a sequence of per-epoch validation
 * mAPs (epoch `i + 1` has `maps[i]`): the first epoch with the highest finite mAP, or -1 when none is
 * finite.
 */
export function keptEpochOf(maps: readonly (number | null)[]): number {
  let kept = -1;
  let keptMap: number | undefined;
  maps.forEach((m, i) => {
    if (replacesKeptEpoch(keptMap, m)) {
      kept = i + 1;
      keptMap = m ?? undefined;
    }
  });
  return kept;
}
