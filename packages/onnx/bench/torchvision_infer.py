#!/usr/bin/python3
"""Times torchvision's ssdlite320_mobilenet_v3_large inference at batch 1 on a 640x480 image
(its transform resizes to 320x320 and normalises, then forward, decode and NMS, boxes mapped back to
the image). Prints one JSON object.

Usage: /usr/bin/python3 torchvision_infer.py [threads] [runs]
"""
import json
import os
import sys

import torch
import torchvision
from torchvision.models.detection import ssdlite320_mobilenet_v3_large

# the timing loop shared by od's torchvision scripts
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration", "bench"))
from torchvision_common import median_seconds  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4).eval()
params = sum(p.numel() for p in model.parameters())
x = [torch.rand(3, 480, 640)]
with torch.no_grad():
    med = median_seconds(lambda: model(x), runs, warmup=3)
print(json.dumps({
    "bench": "inference batch 1 (640x480)",
    "impl": f"torchvision {torchvision.__version__} ssdlite320_mobilenet_v3_large (4 classes)",
    "runtime": f"pytorch {torch.__version__}",
    "threads": threads,
    "params": params,
    "ms_median": med * 1000,
    "images_per_s": 1 / med,
}))
