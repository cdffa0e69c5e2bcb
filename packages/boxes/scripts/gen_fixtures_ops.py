"""Generates test/fixtures/ops.json: torchvision reference values for the IoU family and NMS.

Run from packages/boxes with Debian's python: /usr/bin/python3 scripts/gen_fixtures_ops.py
Inputs are seeded (numpy default_rng) float32 xyxy boxes with positive area (torchvision returns NaN
for zero-area pairs, where od returns defined values; those cases are hand-worked in the tests) and
distinct scores (torchvision's order of tied scores is unspecified).
"""
import json
import os

import numpy as np
import torch
import torchvision
from torchvision.ops import (batched_nms, box_iou, complete_box_iou, distance_box_iou,
                             generalized_box_iou, nms)

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ops.json")


def rand_boxes(rng, n, extent, lo, hi):
    c = rng.uniform(0, extent, size=(n, 2))
    wh = rng.uniform(lo, hi, size=(n, 2))
    b = np.concatenate([c - wh / 2, c + wh / 2], axis=1).astype(np.float32)
    return b


def as_list(t):
    """float32 values as the shortest decimal that rounds back to the same float32 (Math.fround in JS)."""
    a = np.asarray(t, dtype=np.float32).reshape(-1)
    return [float(np.format_float_positional(x, unique=True, trim="-")) for x in a]


def main():
    rng = np.random.default_rng(20240601)
    iou_cases = []
    for name, n, m, extent, lo, hi in [
        ("small-px", 5, 7, 100.0, 5.0, 60.0),
        ("dense-px", 12, 9, 40.0, 5.0, 40.0),
        ("rel", 6, 8, 1.0, 0.02, 0.6),
    ]:
        a = rand_boxes(rng, n, extent, lo, hi)
        b = rand_boxes(rng, m, extent, lo, hi)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        iou_cases.append({
            "name": name, "n": n, "m": m, "a": as_list(a), "b": as_list(b),
            "iou": as_list(box_iou(ta, tb)),
            "giou": as_list(generalized_box_iou(ta, tb)),
            "diou": as_list(distance_box_iou(ta, tb)),
            "ciou": as_list(complete_box_iou(ta, tb)),
        })

    nms_cases = []
    for name, n, extent, lo, hi, thr in [
        ("n200-t0.3", 200, 200.0, 10.0, 60.0, 0.3),
        ("n200-t0.5", 200, 200.0, 10.0, 60.0, 0.5),
        ("n500-t0.7", 500, 300.0, 5.0, 80.0, 0.7),
        ("n1500-t0.5", 1500, 600.0, 10.0, 100.0, 0.5),
    ]:
        boxes = rand_boxes(rng, n, extent, lo, hi)
        scores = (rng.permutation(n).astype(np.float32) + 1.0) / np.float32(n + 1)
        keep = nms(torch.from_numpy(boxes), torch.from_numpy(scores), thr)
        nms_cases.append({"name": name, "n": n, "iou_threshold": thr, "boxes": as_list(boxes),
                          "scores": as_list(scores), "keep": [int(i) for i in keep.tolist()]})

    batched_cases = []
    # 300 boxes use torchvision's coordinate-offset path, 1500 boxes its per-class path (numel > 4000).
    for name, n, classes, thr in [("n300-c4-t0.5", 300, 4, 0.5), ("n1500-c20-t0.45", 1500, 20, 0.45)]:
        boxes = rand_boxes(rng, n, 300.0, 10.0, 80.0)
        scores = (rng.permutation(n).astype(np.float32) + 1.0) / np.float32(n + 1)
        idxs = rng.integers(0, classes, size=n)
        keep = batched_nms(torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(idxs), thr)
        batched_cases.append({"name": name, "n": n, "iou_threshold": thr, "boxes": as_list(boxes),
                              "scores": as_list(scores), "classes": [int(c) for c in idxs.tolist()],
                              "keep": [int(i) for i in keep.tolist()]})

    doc = {
        "generator": "packages/boxes/scripts/gen_fixtures_ops.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "format": "xyxy",
        "iou": iou_cases,
        "nms": nms_cases,
        "batched_nms": batched_cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
