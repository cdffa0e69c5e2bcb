#!/usr/bin/env python3
"""Fixtures of torchvision's ssdlite320_mobilenet_v3_large for od's forward-parity tests.

Run with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14):
    /usr/bin/python3 packages/ssd/scripts/ssdlite_fixtures.py
Writes packages/ssd/test/fixtures/ssdlite320/:
  model.pth            state_dict of ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None,
                       num_classes=4, width_mult=0.5) (reduced_tail, as torchvision sets it without a
                       pretrained backbone), seed 0, with every conv re-drawn from Kaiming-normal and every
                       batch norm's weight, bias and running statistics perturbed (so activations keep
                       their scale through the depth and no batch norm is an identity)
  keys.json            [key, torch shape] of every state_dict entry, in order
  inputs.bin           uint8 [N, 320, 320, 3] RGB: BCCD images centre-cropped to a square and resized with
                       PIL bilinear, then seeded noise; od reads these bytes as they are (no resampling)
  cls_logits.bin       float32 little-endian [N, 3234, 4]   head outputs in eval mode
  bbox_regression.bin  float32 little-endian [N, 3234, 4]
  detections.json      per input: boxes (xyxy px), scores, labels of model(images) in eval mode
  mobilenet_v3_large.pth, mobilenet_v3_large_keys.json  an ImageNet-style mobilenet_v3_large(width_mult=0.5,
                       reduced_tail=True) classification state_dict (seed 1, 10 classes) for the backbone key mapping
"""
import json
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision.models import mobilenet_v3_large
from torchvision.models.detection import ssdlite320_mobilenet_v3_large

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
OUT = os.path.join(HERE, "..", "test", "fixtures", "ssdlite320")
IMAGES = ["BloodImage_00000.jpg", "BloodImage_00001.jpg"]
NUM_CLASSES = 4
WIDTH = 0.5
SIZE = 320


def perturb(model, gen):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, (2.0 / fan_in) ** 0.5, generator=gen)
                if m.bias is not None:
                    m.bias.uniform_(-0.2, 0.2, generator=gen)
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
                m.running_mean.normal_(0.0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 2.0, generator=gen)
                m.num_batches_tracked.fill_(7)


def load_inputs():
    arrays = []
    for name in IMAGES:
        im = Image.open(os.path.join(ROOT, "packages", "cli", "demo-data", "bccd", "JPEGImages", name)).convert("RGB")
        w, h = im.size
        s = min(w, h)
        im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
        arrays.append(np.asarray(im.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.uint8))
    rng = np.random.default_rng(0)
    arrays.append(rng.integers(0, 256, size=(SIZE, SIZE, 3), dtype=np.uint8))
    return np.stack(arrays)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    model = ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=NUM_CLASSES, width_mult=WIDTH
    )
    gen = torch.Generator().manual_seed(0)
    perturb(model, gen)
    model.eval()
    sd = model.state_dict()
    torch.save(sd, os.path.join(OUT, "model.pth"))
    with open(os.path.join(OUT, "keys.json"), "w") as f:
        json.dump([[k, list(v.shape)] for k, v in sd.items()], f)

    inputs = load_inputs()
    inputs.tofile(os.path.join(OUT, "inputs.bin"))
    images = [torch.from_numpy(a).permute(2, 0, 1).float() / 255.0 for a in inputs]
    with torch.no_grad():
        batch, _ = model.transform(images)
        # The transform's resize of a 320x320 image is the identity: od normalises the same bytes.
        manual = torch.stack([(im - 0.5) / 0.5 for im in images])
        assert torch.equal(batch.tensors, manual), "transform changed the pixels"
        feats = list(model.backbone(batch.tensors).values())
        head = model.head(feats)
        dets = model(images)
    head["cls_logits"].numpy().astype("<f4").tofile(os.path.join(OUT, "cls_logits.bin"))
    head["bbox_regression"].numpy().astype("<f4").tofile(os.path.join(OUT, "bbox_regression.bin"))
    with open(os.path.join(OUT, "detections.json"), "w") as f:
        json.dump(
            {
                "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__},
                "numClasses": NUM_CLASSES,
                "widthMultiplier": WIDTH,
                "reducedTail": True,
                "inputs": int(inputs.shape[0]),
                "featureMaps": [list(t.shape) for t in feats],
                "detections": [
                    {
                        "boxes": d["boxes"].double().tolist(),
                        "scores": d["scores"].double().tolist(),
                        "labels": d["labels"].tolist(),
                    }
                    for d in dets
                ],
            },
            f,
        )

    torch.manual_seed(1)
    classifier = mobilenet_v3_large(weights=None, width_mult=WIDTH, reduced_tail=True, num_classes=10)
    csd = classifier.state_dict()
    torch.save(csd, os.path.join(OUT, "mobilenet_v3_large.pth"))
    with open(os.path.join(OUT, "mobilenet_v3_large_keys.json"), "w") as f:
        json.dump([[k, list(v.shape)] for k, v in csd.items()], f)
    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes", file=sys.stderr)
    print("detections per input:", [len(d["scores"]) for d in dets], file=sys.stderr)


if __name__ == "__main__":
    main()
