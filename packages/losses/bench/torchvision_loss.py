#!/usr/bin/python3
"""torchvision side of bench/run.ts: SSD.compute_loss forward + backward, one thread.

Usage: /usr/bin/python3 bench/torchvision_loss.py B P C RUNS
Same workload as bench/run.ts: image b has npos(b) positives at the priors j with
(j * 7919 + b * 104729) % P < npos(b), label 1 + j % (C - 1); the rest is background.
Prints one JSON object: {impl, ms_median, ms_min, runs, B, P, C, positives, torch, torchvision}.
"""
import json
import statistics
import sys
import time
import types

import torch
import torchvision
from torchvision.models.detection import _utils as det_utils
from torchvision.models.detection.ssd import SSD

torch.set_num_threads(1)
torch.manual_seed(0)


def npos(b):
    return 0 if b % 8 == 7 else 5 + (b * 13) % 40


def main():
    B, P, C, runs = (int(a) for a in sys.argv[1:5])
    c = torch.rand(P, 2) * 0.8 + 0.1
    s = torch.rand(P, 2) * 0.3 + 0.05
    anchors = torch.cat([c - s / 2, c + s / 2], 1)
    targets, matched = [], []
    j = torch.arange(P)
    for b in range(B):
        boxes = anchors + torch.randn(P, 4) * 0.01  # one "ground truth" per prior: matched_idxs = j
        pos = (j * 7919 + b * 104729) % P < npos(b)
        labels = 1 + j % (C - 1)
        targets.append({"boxes": boxes, "labels": labels})
        matched.append(torch.where(pos, j, torch.full_like(j, -1)))
    loc = torch.randn(B, P, 4, requires_grad=True)
    cls = torch.randn(B, P, C, requires_grad=True)
    me = types.SimpleNamespace(box_coder=det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0)), neg_to_pos_ratio=3)

    def step():
        out = SSD.compute_loss(me, targets, {"bbox_regression": loc, "cls_logits": cls}, [anchors] * B, matched)
        total = out["bbox_regression"] + out["classification"]
        loc.grad = None
        cls.grad = None
        total.backward()
        return total.item()

    for _ in range(2):
        step()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "impl": "torchvision",
        "ms_median": round(statistics.median(times), 2),
        "ms_min": round(min(times), 2),
        "runs": runs, "B": B, "P": P, "C": C,
        "positives": int(sum(npos(b) for b in range(B))),
        "torch": torch.__version__, "torchvision": torchvision.__version__,
    }))


main()
