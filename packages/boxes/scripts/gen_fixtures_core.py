#!/usr/bin/env python3
"""Reference fixtures for @od/boxes core (conversions, clip, area, box coding) from torchvision.

Run with Debian's python3 (python3-torch, python3-torchvision):
    /usr/bin/python3 packages/boxes/scripts/gen_fixtures_core.py
Writes packages/boxes/test/fixtures/core_convert.json and core_coder.json. The outputs are committed,
so CI needs no Python. Computation is in float64; the tests compare float32 results with a tolerance.

References:
  torchvision.ops.box_convert            (xyxy, xywh, cxcywh; yxyx is not a torchvision format and
                                          is derived here by permuting xyxy, documented in the JSON)
  torchvision.ops.clip_boxes_to_image, torchvision.ops.box_area
  torchvision.models.detection._utils.BoxCoder(weights=(10, 10, 5, 5))  == SSD variances 0.1/0.2
"""
import json
import os

import torch
import torchvision
from torchvision.models.detection._utils import BoxCoder
from torchvision.ops import box_area, box_convert, clip_boxes_to_image

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")
FORMATS = ["xyxy", "xywh", "cxcywh"]
g = torch.Generator().manual_seed(20240601)


def rand_xyxy(n, w, h):
    """n valid xyxy px boxes in a w x h image (x1 <= x2, y1 <= y2), float64."""
    p = torch.rand(n, 4, generator=g, dtype=torch.float64)
    x = torch.sort(p[:, [0, 2]] * w, dim=1).values
    y = torch.sort(p[:, [1, 3]] * h, dim=1).values
    return torch.stack([x[:, 0], y[:, 0], x[:, 1], y[:, 1]], dim=1)


def to_list(t):
    return [[float(v) for v in row] for row in t.tolist()]


def convert_fixture():
    hand = torch.tensor(
        [
            [10, 20, 50, 80],  # worked example in the README
            [0, 0, 0, 0],  # a point at the origin (zero area)
            [5, 5, 5, 9],  # zero width
            [0, 0, 640, 480],  # the whole image (border)
            [639.5, 479.25, 640, 480],  # touching the far corner
        ],
        dtype=torch.float64,
    )
    xyxy = torch.cat([hand, rand_xyxy(27, 640, 480)])
    reps = {f: box_convert(xyxy, "xyxy", f) for f in FORMATS}
    reps["yxyx"] = xyxy[:, [1, 0, 3, 2]]
    pairs = []
    for a in FORMATS:
        for b in FORMATS:
            if a != b:
                pairs.append({"from": a, "to": b, "output": to_list(box_convert(reps[a], a, b))})
    size = (480, 640)  # (H, W) as torchvision takes it
    clip_in = torch.cat([xyxy[:4], torch.tensor([[-10, -5, 700, 500], [650, 10, 700, 20], [-3, 100, 20, 120]], dtype=torch.float64)])
    return {
        "source": f"torchvision {torchvision.__version__} ops.box_convert / clip_boxes_to_image / box_area, float64",
        "note": "yxyx is xyxy with x and y swapped (the order of tfjs image ops); torchvision has no yxyx",
        "image": {"width": 640, "height": 480},
        "boxes": {f: to_list(t) for f, t in reps.items()},
        "pairs": pairs,
        "area": [float(v) for v in box_area(xyxy).tolist()],
        "clip": {"input": to_list(clip_in), "output": to_list(clip_boxes_to_image(clip_in, size))},
    }


def coder_fixture():
    coder = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    n = 40
    # priors: cxcywh rel in [0, 1], positive sizes (like SSD default boxes)
    pr = torch.rand(n, 4, generator=g, dtype=torch.float64)
    priors_cxcywh = torch.stack([pr[:, 0], pr[:, 1], 0.02 + 0.9 * pr[:, 2], 0.02 + 0.9 * pr[:, 3]], dim=1)
    priors_xyxy = box_convert(priors_cxcywh, "cxcywh", "xyxy")
    gt_xyxy = rand_xyxy(n, 1.0, 1.0)
    gt_xyxy[:, 2:] += 1e-3  # keep sizes positive (torchvision gives -inf on zero-area targets)
    targets = coder.encode_single(gt_xyxy, priors_xyxy)
    # decode: the encoded targets plus random deltas, some large enough to hit bbox_xform_clip
    deltas = torch.cat([targets, torch.randn(n, 4, generator=g, dtype=torch.float64) * 3])
    deltas[-3:, 2:] = torch.tensor([[30.0, 25.0], [-40.0, 22.0], [21.0, -30.0]], dtype=torch.float64)
    priors2 = torch.cat([priors_xyxy, priors_xyxy])
    decoded_xyxy = coder.decode_single(deltas, priors2)
    return {
        "source": f"torchvision {torchvision.__version__} BoxCoder(weights=(10, 10, 5, 5)) encode_single/decode_single, float64",
        "weights": [10, 10, 5, 5],
        "bbox_xform_clip": coder.bbox_xform_clip,
        "encode": {
            "priors_cxcywh": to_list(priors_cxcywh),
            "gt_xyxy": to_list(gt_xyxy),
            "targets": to_list(targets),
        },
        "decode": {
            "priors_cxcywh": to_list(box_convert(priors2, "xyxy", "cxcywh")),
            "deltas": to_list(deltas),
            "boxes_xyxy": to_list(decoded_xyxy),
        },
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in [("core_convert.json", convert_fixture()), ("core_coder.json", coder_fixture())]:
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print("wrote", name)


if __name__ == "__main__":
    main()
