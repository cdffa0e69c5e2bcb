"""Reference values and gradients of the aligned IoU family, from torchvision (autograd).

Writes test/fixtures/tf-iou-grads.json, read by test/tf-iou.test.ts. Run with Debian's python3:
    /usr/bin/python3 scripts/tf_iou_grads.py
Pairs are non-degenerate, so torchvision's eps (1e-7) changes values by less than 1e-6. For CIoU,
torchvision computes alpha under no_grad; od's tensor path does the same.
"""
import json
import pathlib

import torch
from torchvision.ops import box_iou, complete_box_iou, distance_box_iou, generalized_box_iou

PAIRS = [
    ([0.10, 0.20, 0.50, 0.60], [0.30, 0.25, 0.70, 0.90]),  # overlapping
    ([0.00, 0.00, 0.25, 0.50], [0.50, 0.50, 0.75, 1.00]),  # disjoint
    ([0.20, 0.20, 0.60, 0.40], [0.25, 0.10, 0.45, 0.70]),  # crossing, different aspect
    ([0.10, 0.10, 0.90, 0.90], [0.30, 0.30, 0.50, 0.60]),  # nested
    ([10.0, 20.0, 50.0, 80.0], [15.0, 10.0, 70.0, 60.0]),  # px scale
]

FNS = {
    "iou": box_iou,
    "giou": generalized_box_iou,
    "diou": distance_box_iou,
    "ciou": complete_box_iou,
}


def main() -> None:
    out = {"source": f"torch {torch.__version__}, torchvision.ops (float64, autograd)", "pairs": []}
    for a, b in PAIRS:
        entry = {"a": a, "b": b}
        for name, fn in FNS.items():
            ta = torch.tensor([a], dtype=torch.float64, requires_grad=True)
            tb = torch.tensor([b], dtype=torch.float64, requires_grad=True)
            v = fn(ta, tb)[0, 0]
            v.backward()
            entry[name] = {"value": v.item(), "grad_a": ta.grad[0].tolist(), "grad_b": tb.grad[0].tolist()}
        out["pairs"].append(entry)
    path = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "tf-iou-grads.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
