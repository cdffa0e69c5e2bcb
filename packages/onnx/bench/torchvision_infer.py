#!/usr/bin/python3
"""Times torchvision's ssdlite320_mobilenet_v3_large inference at batch 1 on a 640x480 image
(its transform resizes to 320x320 and normalises, then forward, decode and NMS, boxes mapped back to
the image). Prints one JSON object.

Usage: /usr/bin/python3 torchvision_infer.py [threads] [runs]
"""
import json
import sys
import time

import torch
import torchvision
from torchvision.models.detection import ssdlite320_mobilenet_v3_large

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4).eval()
params = sum(p.numel() for p in model.parameters())
x = [torch.rand(3, 480, 640)]
with torch.no_grad():
    for _ in range(3):
        model(x)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        model(x)
        times.append(time.perf_counter() - t)
times.sort()
med = times[len(times) // 2]
print(json.dumps({
    "bench": "inference batch 1 (640x480)",
    "impl": f"torchvision {torchvision.__version__} ssdlite320_mobilenet_v3_large (4 classes)",
    "runtime": f"pytorch {torch.__version__}",
    "threads": threads,
    "params": params,
    "ms_median": med * 1000,
    "images_per_s": 1 / med,
}))
