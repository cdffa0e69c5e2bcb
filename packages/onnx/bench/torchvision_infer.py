#!/usr/bin/python3
"""Times torchvision's ssdlite320_mobilenet_v3_large inference at batch 1 on a 640x480 image
(its transform resizes to 320x320 and normalises, then forward, decode and NMS, boxes mapped back to
the image). Prints one JSON object.

Usage: /usr/bin/python3 torchvision_infer.py [threads] [runs] [weights.safetensors]
  weights: od's weights of the same model (torchvision's keys, written by bench/run.ts), loaded strictly,
  so both sides predict with identical weights; the image is od's bench image, byte for byte.
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from torchvision.models.detection import ssdlite320_mobilenet_v3_large

# the timing loop shared by od's torchvision scripts
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration", "bench"))
from torchvision_common import median_seconds, read_safetensors  # noqa: E402

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.set_num_threads(threads)
torch.manual_seed(0)
model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4).eval()
params = sum(p.numel() for p in model.parameters())
weights = sys.argv[3] if len(sys.argv) > 3 else None
if weights is not None:
    model.load_state_dict(read_safetensors(weights), strict=True)
# od's bench image (640x480 RGB, byte i = (i+1)*2654435761 mod 2^32 >> 24) as [0, 1] CHW
px = ((np.arange(1, 640 * 480 * 3 + 1, dtype=np.uint64) * 2654435761) & 0xFFFFFFFF) >> 24
x = [torch.from_numpy(px.astype(np.float32).reshape(480, 640, 3) / 255).permute(2, 0, 1).contiguous()]
with torch.no_grad():
    med = median_seconds(lambda: model(x), runs, warmup=3)
print(json.dumps({
    "bench": "inference batch 1 (640x480)",
    "impl": f"torchvision {torchvision.__version__} ssdlite320_mobilenet_v3_large (4 classes)",
    "runtime": f"pytorch {torch.__version__}",
    "weights": "od's ssdlite320 row's, identical" if weights else "torchvision's seeded initialisation",
    "threads": threads,
    "params": params,
    "ms_median": med * 1000,
    "images_per_s": 1 / med,
}))
