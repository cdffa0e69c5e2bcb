#!/usr/bin/python3
"""Reference values for @od/losses from torchvision (Debian python3-torchvision).

Writes test/fixtures/torchvision-losses.json:
- multibox: inputs and the output of torchvision.models.detection.ssd.SSD.compute_loss, called on a
  stand-in `self` that has only the attributes compute_loss reads (box_coder, neg_to_pos_ratio).
  Cases keep 3 x positives <= negatives in every image and a positive in every image, where
  torchvision's result is the MultiBox loss as published.
- focal: torchvision.ops.sigmoid_focal_loss for several alpha/gamma/reduction settings.

Run from the package folder: /usr/bin/python3 scripts/gen_fixtures.py
"""
import json
import types

import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.ssd import SSD
from torchvision.ops import sigmoid_focal_loss

torch.manual_seed(0)


def multibox_case(B, P, C, pos_per_image):
    anchors_cxcywh = torch.rand(P, 2) * 0.8 + 0.1
    wh = torch.rand(P, 2) * 0.3 + 0.05
    anchors = torch.cat([anchors_cxcywh - wh / 2, anchors_cxcywh + wh / 2], 1)
    targets, matched_idxs = [], []
    for b in range(B):
        G = 3
        c = torch.rand(G, 2) * 0.8 + 0.1
        s = torch.rand(G, 2) * 0.3 + 0.05
        boxes = torch.cat([c - s / 2, c + s / 2], 1)
        labels = torch.randint(1, C, (G,))
        m = torch.full((P,), -1, dtype=torch.int64)
        idx = torch.randperm(P)[: pos_per_image[b]]
        m[idx] = torch.randint(0, G, (len(idx),))
        targets.append({"boxes": boxes, "labels": labels})
        matched_idxs.append(m)
    head = {
        "bbox_regression": torch.randn(B, P, 4),
        "cls_logits": torch.randn(B, P, C) * 2,
    }
    coder = det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    self = types.SimpleNamespace(box_coder=coder, neg_to_pos_ratio=3)
    out = SSD.compute_loss(self, targets, head, [anchors] * B, matched_idxs)
    loc_targets, labels = [], []
    for b in range(B):
        m = matched_idxs[b]
        fg = m >= 0
        matched = targets[b]["boxes"][m.clamp(min=0)]
        enc = coder.encode_single(matched, anchors)
        enc[~fg] = 0
        loc_targets.append(enc)
        lab = torch.zeros(P, dtype=torch.int64)
        lab[fg] = targets[b]["labels"][m[fg]]
        labels.append(lab)
    return {
        "B": B, "P": P, "C": C,
        "locPred": head["bbox_regression"].flatten().tolist(),
        "clsLogits": head["cls_logits"].flatten().tolist(),
        "locTargets": torch.stack(loc_targets).flatten().tolist(),
        "labels": torch.stack(labels).flatten().tolist(),
        "bbox_regression": out["bbox_regression"].item(),
        "classification": out["classification"].item(),
    }


def focal_case(shape, alpha, gamma, reduction):
    x = torch.randn(*shape) * 3
    t = (torch.rand(*shape) > 0.7).float()
    y = sigmoid_focal_loss(x, t, alpha=alpha, gamma=gamma, reduction=reduction)
    return {
        "shape": list(shape), "alpha": alpha, "gamma": gamma, "reduction": reduction,
        "logits": x.flatten().tolist(), "targets": t.flatten().tolist(),
        "loss": y.flatten().tolist() if reduction == "none" else [y.item()],
    }


fixtures = {
    "source": f"torchvision {torchvision.__version__}, torch {torch.__version__}",
    "multibox": [
        multibox_case(2, 40, 4, [3, 5]),
        multibox_case(3, 64, 6, [1, 8, 12]),
        multibox_case(1, 100, 21, [20]),
    ],
    "focal": [
        focal_case((5, 7), 0.25, 2.0, "none"),
        focal_case((4, 6), -1, 2.0, "mean"),
        focal_case((3, 9), 0.5, 0.0, "sum"),
        focal_case((6, 3), 0.75, 1.5, "none"),
    ],
}
with open("test/fixtures/torchvision-losses.json", "w") as f:
    json.dump(fixtures, f)
print("wrote test/fixtures/torchvision-losses.json", fixtures["source"])
