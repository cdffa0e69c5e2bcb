import { type Boxes, unsafeBoxes } from "@od/boxes";
import { type PriorConfig, type PriorLayout, priorLayout } from "./config.js";
import { fail } from "./internal/fail.js";

/**
 * Generates SSD default (prior) boxes for a configuration, as torchvision `DefaultBoxGenerator`.
 *
 * Order: level (finest first), then row (y), then column (x), then shape, so prior
 * `start_k + (i · cols_k + j) · K_k + s` sits at row `i`, column `j` of level `k` with shape `s`. For the SSD
 * spec the shapes at each location are `[s_k square, √(s_k·s_{k+1}) square, (a₁ wide, a₁ tall), (a₂ wide, ...)]`.
 *
 * Centres: `cx = (j + 0.5) · stepX / imageWidth`, `cy = (i + 0.5) · stepY / imageHeight` (without steps,
 * `(j + 0.5) / cols`). With `clip` (default) widths and heights are clamped to [0, 1]; centres are not.
 *
 * @param config grid and shapes; see {@link PriorConfig}.
 * @param out optional `[P, 4]` Float32Array to write into.
 * @returns `[P, 4]` cxcywh rel priors of the network input, P = {@link priorCount}.
 * @throws PriorsError `INVALID_CONFIG` (see {@link priorLayout}); `INVALID_ARGUMENT` when `out` has the wrong length.
 * @example generatePriors(SSD300_VGG16).length // 8732
 */
export function generatePriors(config: PriorConfig, out?: Float32Array): Boxes<"cxcywh", "rel"> {
  return priorsFromLayout(priorLayout(config), out);
}

/**
 * Generates the priors of an already expanded {@link PriorLayout} (see {@link generatePriors}).
 * @returns `[P, 4]` cxcywh rel.
 */
function priorsFromLayout(layout: PriorLayout, out?: Float32Array): Boxes<"cxcywh", "rel"> {
  const P = layout.total;
  let d: Float32Array;
  if (out === undefined) d = new Float32Array(P * 4);
  else if (out instanceof Float32Array && out.length === P * 4) d = out;
  else {
    const len = (out as { length?: unknown } | null)?.length;
    return invalidOut(P, len);
  }
  const W = layout.imageSize.width;
  const H = layout.imageSize.height;
  let o = 0;
  for (const lv of layout.levels) {
    const K = lv.boxesPerCell;
    const fx = W / lv.stepX;
    const fy = H / lv.stepY;
    for (let i = 0; i < lv.rows; i++) {
      const cy = (i + 0.5) / fy;
      for (let j = 0; j < lv.cols; j++) {
        const cx = (j + 0.5) / fx;
        for (let s = 0; s < K; s++) {
          d[o] = cx;
          d[o + 1] = cy;
          d[o + 2] = lv.sizes[2 * s]!;
          d[o + 3] = lv.sizes[2 * s + 1]!;
          o += 4;
        }
      }
    }
  }
  return unsafeBoxes(d, "cxcywh", "rel");
}

function invalidOut(P: number, len: unknown): never {
  return fail(
    "INVALID_ARGUMENT",
    "generatePriors",
    `out must be a Float32Array of length ${P * 4} ([${P}, 4]); got length ${String(len)}`,
    {
      field: "out",
    },
  );
}
