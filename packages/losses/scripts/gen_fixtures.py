#!/usr/bin/python3
"""Reference values for @od/losses from torchvision (Debian python3-torchvision).

Writes test/fixtures/torchvision-losses.json:
- multibox: inputs and the output of torchvision.models.detection.ssd.SSD.compute_loss, called on a
  stand-in `self` that has only the attributes compute_loss reads (box_coder, neg_to_pos_ratio).
  Cases keep 3 x positives <= negatives in every image and a positive in every image, where
  torchvision's result is the MultiBox loss as published.
- focal: torchvision.ops.sigmoid_focal_loss for several alpha/gamma/reduction settings.
- iou: torchvision.ops generalized_box_iou_loss, distance_box_iou_loss, complete_box_iou_loss
  (reduction "none", default eps 1e-7) and 1 - box_iou(...).diag() on aligned xyxy px box pairs:
  random pairs plus hand-picked ones (identical, nested, disjoint, touching, far apart). Appended after
  the other cases, so their random draws (and values) are unchanged.

Run from the package folder: /usr/bin/python3 scripts/gen_fixtures.py
"""
import json
import types

import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.ssd import SSD
from torchvision.ops import (
    box_iou,
    complete_box_iou_loss,
    distance_box_iou_loss,
    generalized_box_iou_loss,
    sigmoid_focal_loss,
)

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


def iou_case(n_random):
    def rand_boxes(n):
        c = torch.rand(n, 2) * 200 + 20
        s = torch.rand(n, 2) * 60 + 4
        return torch.cat([c - s / 2, c + s / 2], 1)

    a = rand_boxes(n_random)
    b = a + torch.randn(n_random, 4) * 15  # mostly overlapping neighbours
    b = torch.cat([torch.minimum(b[:, :2], b[:, 2:] - 1), torch.maximum(b[:, 2:], b[:, :2] + 1)], 1)
    hand_a = torch.tensor([
        [10.0, 10, 50, 40],    # identical
        [0.0, 0, 100, 100],    # nested
        [10.0, 10, 20, 20],    # disjoint
        [10.0, 10, 20, 20],    # touching edge
        [0.0, 0, 2, 3],        # far apart, different aspect
        [30.0, 40, 90, 60],    # crossing
    ])
    hand_b = torch.tensor([
        [10.0, 10, 50, 40],
        [25.0, 30, 60, 50],
        [40.0, 35, 55, 80],
        [20.0, 10, 30, 20],
        [300.0, 250, 310, 252],
        [50.0, 10, 70, 90],
    ])
    a = torch.cat([a, hand_a])
    b = torch.cat([b, hand_b])
    return {
        "format": "xyxy", "units": "px",
        "pred": a.flatten().tolist(), "target": b.flatten().tolist(),
        "iou": (1 - box_iou(a, b).diag()).tolist(),
        "giou": generalized_box_iou_loss(a, b).tolist(),
        "diou": distance_box_iou_loss(a, b).tolist(),
        "ciou": complete_box_iou_loss(a, b).tolist(),
        "giou_mean": generalized_box_iou_loss(a, b, reduction="mean").item(),
        "ciou_sum": complete_box_iou_loss(a, b, reduction="sum").item(),
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
fixtures["iou"] = iou_case(14)
with open("test/fixtures/torchvision-losses.json", "w") as f:
    json.dump(fixtures, f)
print("wrote test/fixtures/torchvision-losses.json", fixtures["source"])
