"""Generates the torchvision reference fixtures of @od/priors (test/fixtures/*.json).

Run with the system python that has torch + torchvision (Debian python3-torchvision):
    /usr/bin/python3 scripts/gen_fixtures.py
Float32 arrays are stored as base64 of little-endian bytes so the comparison is bit-exact.
"""
import base64
import json
import os

import torch
import torchvision
from torchvision.models.detection import ssd300_vgg16, ssdlite320_mobilenet_v3_large
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.ops import box_iou

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures")


def b64(t, dtype=torch.float32):
    return base64.b64encode(t.contiguous().to(dtype).numpy().tobytes()).decode("ascii")


def cxcywh(gen, image_hw, maps):
    # The generator's own cxcywh (rel) output, before forward() turns it into px corners.
    h, w = image_hw
    return gen._grid_default_boxes([list(m) for m in maps], [h, w], dtype=torch.float32)


def taps(model, h, w):
    feats = model.backbone(torch.zeros(1, 3, h, w))
    return [tuple(f.shape[-2:]) for f in feats.values()]


def main():
    torch.manual_seed(0)
    fixtures = {"torch": torch.__version__, "torchvision": torchvision.__version__, "cases": []}
    with torch.no_grad():
        m300 = ssd300_vgg16(weights=None, weights_backbone=None).eval()
        mlite = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None).eval()
        cases = [
            ("ssd300_vgg16", m300.anchor_generator, (300, 300), taps(m300, 300, 300)),
            ("ssdlite320_mobilenet_v3", mlite.anchor_generator, (320, 320), taps(mlite, 320, 320)),
            # Non-square input, no steps: the generator spreads centres over each map.
            ("ssdlite_generator_320x480", mlite.anchor_generator, (320, 480), taps(mlite, 320, 480)),
            # Non-square input with SSD300's steps and no clipping.
            (
                "ssd300_generator_300x400_noclip",
                DefaultBoxGenerator(
                    [[2], [2, 3], [2, 3], [2, 3], [2], [2]],
                    scales=[0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05],
                    steps=[8, 16, 32, 64, 100, 300],
                    clip=False,
                ),
                (300, 400),
                [(38, 50), (19, 25), (10, 13), (5, 7), (3, 4), (1, 2)],
            ),
        ]
        for name, gen, hw, maps in cases:
            boxes = cxcywh(gen, hw, maps)
            fixtures["cases"].append(
                {
                    "name": name,
                    "image": {"height": hw[0], "width": hw[1]},
                    "featureMaps": [{"height": int(a), "width": int(b)} for a, b in maps],
                    "aspectRatios": gen.aspect_ratios,
                    "scales": [float(s) for s in gen.scales],
                    "steps": gen.steps,
                    "clip": gen.clip,
                    "count": int(boxes.shape[0]),
                    "cxcywh": b64(boxes),
                }
            )
    with open(os.path.join(OUT, "torchvision-priors.json"), "w") as f:
        json.dump(fixtures, f)

    # Matching + encoding against SSD300 priors, as torchvision SSD.compute_loss does.
    gen = m300.anchor_generator
    priors = cxcywh(gen, (300, 300), [(38, 38), (19, 19), (10, 10), (5, 5), (3, 3), (1, 1)])
    pxyxy = torch.cat([priors[:, :2] - 0.5 * priors[:, 2:], priors[:, :2] + 0.5 * priors[:, 2:]], 1)
    matcher = det_utils.SSDMatcher(0.5)
    two = det_utils.Matcher(0.5, 0.4, allow_low_quality_matches=True)
    coder = det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    g = torch.Generator().manual_seed(1)
    images = []
    for n in [1, 3, 8, 20]:
        c = torch.rand(n, 2, generator=g) * 0.8 + 0.1
        s = torch.rand(n, 2, generator=g) * 0.5 + 0.02
        gt = torch.cat([c - s / 2, c + s / 2], 1).clamp(0, 1).to(torch.float32)
        labels = torch.randint(1, 5, (n,), generator=g)
        q = box_iou(gt, pxyxy)
        matches = matcher(q.clone())
        m2 = two(q.clone())
        fg = torch.where(matches >= 0)[0]
        targets = coder.encode_single(gt[matches[fg]], pxyxy[fg])
        cls = torch.zeros(priors.shape[0], dtype=torch.int64)
        cls[fg] = labels[matches[fg]]
        # Two GTs sharing one best prior is left to torchvision's scatter order; keep the fixture free of it.
        best = q.argmax(1)
        assert best.unique().numel() == best.numel()
        images.append(
            {
                "gtXyxyRel": b64(gt),
                "labels": labels.tolist(),
                # Sparse: prior indices with their matched GT (everything else is -1).
                "foreground": fg.tolist(),
                "foregroundGt": matches[fg].tolist(),
                "targets": b64(targets),
                "classTargets": cls[fg].tolist(),
                # Two-threshold matcher: positives and the ignore band (-2); everything else is -1.
                "twoPositive": torch.where(m2 >= 0)[0].tolist(),
                "twoPositiveGt": m2[m2 >= 0].tolist(),
                "twoBetween": torch.where(m2 == -2)[0].tolist(),
            }
        )
    with open(os.path.join(OUT, "torchvision-matching.json"), "w") as f:
        json.dump({"torchvision": torchvision.__version__, "threshold": 0.5, "low": 0.4, "images": images}, f)


if __name__ == "__main__":
    main()
