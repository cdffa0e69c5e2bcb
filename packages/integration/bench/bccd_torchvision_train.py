#!/usr/bin/python3
"""torchvision -> od hand-off, torchvision's side: trains the reduced-width ssdlite320_mobilenet_v3_large
(torchvision_common.HANDOFF_MODEL: BCCD's 3 classes + background, width_mult 0.25, reduced tail) on
BCCD's train split and evaluates it with od's VOC mAP@0.5 on the committed evaluation images.

Writes packages/integration/test/fixtures/bccd-handoff/:
  images.json           the evaluation images: BCCD test ids of the committed demo slice, their ground
                        truth scaled to the 320x320 input (xyxy px, labels >= 1, difficult flags)
  inputs.bin.gz         gzip of uint8 [N, 320, 320, 3]: those images decoded and resized by PIL (bilinear); od
                        and torchvision both read these bytes unchanged (torchvision's transform is the
                        identity at 320x320)
  torchvision.pth       the trained state_dict, every floating tensor stored as float16 (half the bytes)
  torchvision-eval.json torchvision's evaluation of the weights as stored in torchvision.pth: per-class
                        AP, mAP and the detections of every image

Recipe (torchvision_common.train_sgd; pieces of torchvision's detection reference for ssdlite that are cheap here): SGD momentum 0.9,
weight decay 4e-5, linear warm-up over the first epoch then cosine annealing, random horizontal flip;
batch 8, seed 0, torch.set_num_threads(2). Needs the full BCCD at ../shared/datasets/bccd.

Usage: /usr/bin/python3 packages/integration/bench/bccd_torchvision_train.py [epochs] [lr]
"""
import gzip
import json
import os
import sys

import numpy as np
import torch

import torchvision_common as common

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 8
LR = float(sys.argv[2]) if len(sys.argv) > 2 else 0.05
BATCH = common.TRAIN_BATCH
EVAL_IMAGES = 6


def write_eval_images():
    """The first EVAL_IMAGES test ids of the committed demo slice whose boxes are all valid."""
    images, inputs = [], []
    for image_id in common.read_split(common.DEMO_BCCD, "test"):
        w, h, boxes, labels, difficult = common.read_voc(common.DEMO_BCCD, image_id)
        if not common.valid_boxes(boxes, w, h) or len(boxes) == 0:
            continue
        images.append(
            {
                "id": image_id,
                "sourceSize": [w, h],
                "boxes": common.scale_boxes(boxes, w, h).tolist(),
                "labels": labels.tolist(),
                "difficult": difficult.tolist(),
            }
        )
        inputs.append(common.load_input(common.DEMO_BCCD, image_id))
        if len(images) == EVAL_IMAGES:
            break
    os.makedirs(common.HANDOFF_FIXTURES, exist_ok=True)
    with gzip.GzipFile(os.path.join(common.HANDOFF_FIXTURES, "inputs.bin.gz"), "wb", 9, mtime=0) as f:
        f.write(np.stack(inputs).tobytes())
    meta = {
        "source": "packages/cli/demo-data/bccd (test split), decoded and resized to 320x320 by PIL (bilinear)",
        "size": [common.SIZE, common.SIZE],
        "classNames": common.BCCD_CLASSES,
        "model": common.HANDOFF_MODEL,
        "images": images,
    }
    with open(os.path.join(common.HANDOFF_FIXTURES, "images.json"), "w") as f:
        json.dump(meta, f)


def main():
    torch.set_num_threads(2)
    torch.manual_seed(0)
    write_eval_images()
    inputs, boxes, labels = common.bccd_training_set()
    model = common.handoff_model()
    seconds, _ = common.train_sgd(model, inputs, boxes, labels, LR, EPOCHS)
    sd = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    path = os.path.join(common.HANDOFF_FIXTURES, "torchvision.pth")
    torch.save(sd, path)
    # Evaluate the weights as stored: a fresh model loads the file strictly.
    stored = common.handoff_model()
    stored.load_state_dict(torch.load(path), strict=True)
    eval_inputs, meta = common.read_handoff_images()
    result = common.evaluate_model(stored, eval_inputs, meta)
    result["training"] = {
        "split": "train", "images": len(inputs), "epochs": EPOCHS, "batchSize": BATCH, "lr": LR,
        "optimizer": "SGD momentum 0.9, weight decay 4e-5, 1-epoch linear warm-up, cosine annealing",
        "augment": "horizontal flip p=0.5", "seed": 0, "threads": 2, "seconds": round(seconds, 1),
    }
    with open(os.path.join(common.HANDOFF_FIXTURES, "torchvision-eval.json"), "w") as f:
        json.dump(result, f)
    print(json.dumps({"mAP": result["mAP"], "ap": result["ap"], "seconds": round(seconds, 1),
                      "bytes": os.path.getsize(path)}))


if __name__ == "__main__":
    main()
