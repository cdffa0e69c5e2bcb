import type { BoxFormat, BoxUnits } from "@od/boxes";
import { type BoxTensor, ciouPairsT, diouPairsT, giouPairsT, iouPairsT, isBoxTensor } from "@od/boxes/tf";
import { tf } from "@od/tf";
import { fail } from "./errors.js";
import { shapeStr } from "./internal.js";
import { type Reduction, reduce } from "./reduction.js";

/** Member of the IoU family an {@link iouLoss} is built on. */
export type IouLossKind = "iou" | "giou" | "diou" | "ciou";

/** The IoU-family kinds {@link iouLoss} accepts. */
export const IOU_LOSS_KINDS: readonly IouLossKind[] = ["iou", "giou", "diou", "ciou"];

/** Options of {@link iouLoss}. */
export interface IouLossOptions {
  /** `"iou"`, `"giou"` (default), `"diou"` or `"ciou"`. */
  readonly kind?: IouLossKind;
  /**
   * `"none"` (default, as torchvision) keeps the `[...]` shape; `"sum"` sums `w·loss`; `"mean"` is
   * `Σ w·loss / Σ w` (the plain mean without weights; 0 for an empty input or when `Σ w = 0`).
   */
  readonly reduction?: Reduction;
  /** `[...]` non-negative per-pair weights (e.g. a positive mask), broadcast against the loss. */
  readonly weights?: tf.Tensor;
}

const PAIR_OPS = { iou: iouPairsT, giou: giouPairsT, diou: diouPairsT, ciou: ciouPairsT } as const;

/** Runtime checks of the two box tensors (O(1): tags and shapes only). */
function checkPair(fn: string, pred: unknown, target: unknown): asserts pred is BoxTensor {
  for (const [arg, b] of [
    ["pred", pred],
    ["target", target],
  ] as const) {
    if (!isBoxTensor(b)) {
      fail(
        "INVALID_ARGUMENT",
        fn,
        `${arg} must be a BoxTensor over a live float32 [..., 4] tensor (wrap it with boxTensor(t, format, units) from @od/boxes/tf)`,
        { arg },
      );
    }
  }
  const p = pred as BoxTensor;
  const t = target as BoxTensor;
  if (p.format !== t.format) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `pred is ${p.format} but target is ${t.format}; convertT() one of them first`,
      {
        arg: "target",
        expected: p.format,
        actual: t.format,
      },
    );
  }
  if (p.units !== t.units) {
    fail("INVALID_ARGUMENT", fn, `pred is in ${p.units} but target in ${t.units}; use toRelT() or toPxT()`, {
      arg: "target",
      expected: p.units,
      actual: t.units,
    });
  }
  const a = p.tensor.shape;
  const b = t.tensor.shape;
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    fail("SHAPE_MISMATCH", fn, `target must have shape ${shapeStr(a)} like pred; got ${shapeStr(b)}`, {
      arg: "target",
      expected: a,
      actual: b,
    });
  }
}

/**
 * IoU-family regression loss of aligned box pairs, `1 − IoU`, `1 − GIoU` (Rezatofighi et al. 2019),
 * `1 − DIoU` or `1 − CIoU` (Zheng et al. 2020), equal to torchvision's `generalized_box_iou_loss`,
 * `distance_box_iou_loss` and `complete_box_iou_loss` up to their `eps = 1e-7` (od adds none; see the
 * README). Built on `@od/boxes/tf`'s `*PairsT` ops, so values AND gradients are finite for degenerate
 * boxes (zero width or height, points, identical boxes): IoU is 0 when the union is 0, each penalty is
 * 0 when its denominator is 0, and CIoU's `α` is a constant in the backward pass (as torchvision).
 *
 * Ranges per pair: IoU loss in [0, 1], GIoU and DIoU losses in [0, 2], CIoU loss in [0, 3].
 *
 * @param pred `[..., 4]` BoxTensor, any format and units (e.g. `[B, P, 4]` decoded predictions).
 * @param target `[..., 4]` BoxTensor of the same shape, format and units (a compile error otherwise;
 *   a runtime `INVALID_ARGUMENT` for plain-JS callers).
 * @returns `[...]` float32 loss per pair for `reduction: "none"`, else a scalar (the caller owns it).
 * @throws LossesError `INVALID_ARGUMENT` (not box tensors, format or units differ, unknown kind or
 *   reduction), `SHAPE_MISMATCH` (shapes differ, or `weights` does not broadcast).
 * @example
 * const l = iouLoss(boxTensor(pred, "xyxy", "px"), boxTensor(gt, "xyxy", "px"), { kind: "ciou", reduction: "mean" });
 */
export function iouLoss<F extends BoxFormat, U extends BoxUnits>(
  pred: BoxTensor<F, U>,
  target: BoxTensor<NoInfer<F>, NoInfer<U>>,
  options: IouLossOptions = {},
): tf.Tensor {
  const fn = "iouLoss";
  checkPair(fn, pred, target);
  const kind = options.kind ?? "giou";
  if (!IOU_LOSS_KINDS.includes(kind)) {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.kind must be one of ${IOU_LOSS_KINDS.map((k) => `"${k}"`).join(", ")}; got ${String(kind)}`,
      { arg: "options.kind" },
    );
  }
  const reduction = options.reduction ?? "none";
  if (reduction !== "none" && reduction !== "mean" && reduction !== "sum") {
    fail(
      "INVALID_ARGUMENT",
      fn,
      `options.reduction must be "none", "mean" or "sum"; got ${String(reduction)}`,
      {
        arg: "options.reduction",
      },
    );
  }
  const w = options.weights;
  const lead = pred.tensor.shape.slice(0, -1);
  if (w !== undefined) {
    const ws = w.shape;
    const ok =
      ws.length <= lead.length && ws.every((d, i) => d === 1 || d === lead[lead.length - ws.length + i]);
    if (!ok) {
      fail(
        "SHAPE_MISMATCH",
        fn,
        `options.weights must broadcast to the loss shape ${shapeStr(lead)}; got ${shapeStr(ws)}`,
        { arg: "options.weights", expected: lead, actual: ws },
      );
    }
  }
  return tf.tidy(() => {
    const loss = tf.sub(1, PAIR_OPS[kind](pred, target)); // [...]
    if (w === undefined) return reduce(fn, loss, reduction);
    const wf = tf.cast(w, "float32");
    const wl = tf.mul(loss, wf);
    if (reduction === "none") return wl;
    if (reduction === "sum") return tf.sum(wl);
    const wsum = tf.sum(tf.mul(tf.onesLike(loss), wf));
    // Σ w = 0 means every w·loss is 0: divide by 1 instead, so the result is 0 and not NaN.
    return tf.div(tf.sum(wl), tf.where(tf.greater(wsum, 0), wsum, tf.onesLike(wsum)));
  });
}
