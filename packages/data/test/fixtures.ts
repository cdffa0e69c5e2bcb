import { unsafeBoxes } from "@od/boxes";
import { createDataset, type DetectionDataset, type ImageRecord } from "../src/index.js";

/** A record with the given xyxy px boxes and labels. */
export function record(
  id: string,
  size: { width: number; height: number },
  rows: readonly (readonly number[])[],
  labels: readonly number[],
): ImageRecord {
  const n = rows.length;
  return {
    id,
    file: `${id}.jpg`,
    size,
    boxes: unsafeBoxes(new Float32Array(rows.flat()), "xyxy", "px"),
    labels: Int32Array.from(labels),
    difficult: new Uint8Array(n),
    crowd: new Uint8Array(n),
    truncated: new Uint8Array(n),
  };
}

/** `n` images; image i has (i % 4) boxes of class (i % C), every 5th image is a negative. */
export function synthetic(n: number, classNames: readonly string[] = ["a", "b", "c"]): DetectionDataset {
  const C = classNames.length;
  const images = Array.from({ length: n }, (_, i) => {
    const k = i % 5 === 4 ? 0 : (i % 4) + 1;
    const rows = Array.from({ length: k }, (_, j) => [j * 10, j * 5, j * 10 + 8 + i, j * 5 + 4 + j]);
    return record(
      `img${i}`,
      { width: 200, height: 100 },
      rows,
      rows.map(() => i % C),
    );
  });
  return createDataset({ classNames, images });
}
