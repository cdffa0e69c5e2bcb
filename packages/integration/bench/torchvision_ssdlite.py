#!/usr/bin/python3
"""Times torchvision's ssdlite320_mobilenet_v3_large on this machine: training images/s (batch 8,
320x320, random boxes) and inference images/s (batch 1, a 640x480 image resized by the model). Prints one JSON object per line.

Usage: /usr/bin/python3 torchvision_ssdlite.py [threads] [train_steps] [infer_runs] [train_warmup] [infer_warmup]
                        [weights.safetensors]
  warmups: untimed steps / calls before the timed ones (bench/run.ts gives od's side the same).
  weights: od's weights of the same model (torchvision's keys, written by bench/run.ts --ssdlite), loaded
  strictly before the inference row, so both sides predict with identical weights.
"""
import json
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.detection import ssdlite320_mobilenet_v3_large

from torchvision_common import median_seconds, read_safetensors

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 12
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
train_warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 4
infer_warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 50
weights = sys.argv[6] if len(sys.argv) > 6 else None
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4)
params = sum(p.numel() for p in model.parameters() if p.requires_grad)
opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)


def batch(b):
    imgs = [torch.rand(3, 320, 320) for _ in range(b)]
    targets = []
    for _ in range(b):
        xy = torch.rand(5, 2) * 200
        wh = torch.rand(5, 2) * 100 + 10
        targets.append({"boxes": torch.cat([xy, xy + wh], 1), "labels": torch.randint(1, 4, (5,))})
    return imgs, targets


model.train()
imgs, targets = batch(8)


def train_step():
    loss = sum(model(imgs, targets).values())
    opt.zero_grad()
    loss.backward()
    opt.step()


med = median_seconds(train_step, steps, warmup=train_warmup)
print(json.dumps({"bench": "train step batch 8 320x320", "impl": f"torchvision {torchvision.__version__} ssdlite320_mobilenet_v3_large", "threads": threads, "params": params, "ms_median": med * 1000, "images_per_s": 8 / med}))
model.eval()
# Multiply-adds of one 320x320 forward (every Conv2d and Linear), counted with forward hooks.
macs = [0]


def count(m, inp, out):
    if isinstance(m, torch.nn.Conv2d):
        kh, kw = m.kernel_size
        macs[0] += out.numel() * (m.in_channels // m.groups) * kh * kw
    elif isinstance(m, torch.nn.Linear):
        macs[0] += out.numel() * m.in_features


hooks = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
with torch.no_grad():
    model([torch.rand(3, 320, 320)])
for h in hooks:
    h.remove()
if weights is not None:
    model.load_state_dict(read_safetensors(weights), strict=True)
# od's row's image, byte for byte (640x480 RGB, byte i = (i+1)*2654435761 mod 2^32 >> 24), as [0, 1]
# CHW: the model's own transform resizes it to 320x320.
px = ((np.arange(1, 640 * 480 * 3 + 1, dtype=np.uint64) * 2654435761) & 0xFFFFFFFF) >> 24
x = [torch.from_numpy(px.astype(np.float32).reshape(480, 640, 3) / 255).permute(2, 0, 1).contiguous()]
with torch.no_grad():
    med = median_seconds(lambda: model(x), runs, warmup=infer_warmup)
print(json.dumps({"bench": "inference batch 1 (640x480 → 320x320)", "impl": f"torchvision {torchvision.__version__} ssdlite320_mobilenet_v3_large", "weights": "od's, identical" if weights else "its own after the training row", "threads": threads, "params": params, "gmacs": macs[0] / 1e9, "ms_median": med * 1000, "images_per_s": 1 / med}))
