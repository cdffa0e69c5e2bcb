#!/usr/bin/python3
"""od -> torchvision hand-off, torchvision's side: loads an od-exported .safetensors (torchvision's
state_dict keys, written by @od/torch's exportStateDict + writeSafetensors) into torchvision's
ssdlite320_mobilenet_v3_large with load_state_dict(strict=True), and evaluates it with od's VOC mAP@0.5
on the committed hand-off images (the same JSON as bccd_torchvision_train.py writes).

Usage: /usr/bin/python3 packages/integration/bench/bccd_torchvision_eval.py [in.safetensors] [out.json]
  defaults: test/fixtures/bccd-handoff/od.safetensors -> test/fixtures/bccd-handoff/od-eval.json
"""
import json
import os
import sys

import torch

import torchvision_common as common

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(common.HANDOFF_FIXTURES, "od.safetensors")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(common.HANDOFF_FIXTURES, "od-eval.json")


def main():
    torch.set_num_threads(2)
    inputs, meta = common.read_handoff_images()
    model = common.handoff_model()
    model.load_state_dict(common.read_safetensors(SRC), strict=True)
    result = common.evaluate_model(model, inputs, meta)
    result["weights"] = os.path.basename(SRC)
    with open(OUT, "w") as f:
        json.dump(result, f)
    print(json.dumps({"mAP": result["mAP"], "ap": result["ap"]}))


if __name__ == "__main__":
    main()
