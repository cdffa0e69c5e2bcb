#!/usr/bin/python3
"""Accuracy for time, torchvision's side (bench/race.ts runs it; see that file for the whole race).

  init OUT.pth
      torchvision's ssdlite320_mobilenet_v3_large for BCCD (3 classes + background, width 1, reduced tail as
      torchvision sets it without a pretrained backbone), random-initialised with torch.manual_seed(0), its
      state_dict saved as OUT.pth: the initial weights both od and torchvision start from.
  train INIT.pth OUT.pth SECONDS [LR]
      loads INIT.pth strictly, trains on BCCD's train split for SECONDS of wall-clock time
      (torchvision_common.train_sgd: SGD momentum 0.9, weight decay 4e-5, batch 8, peak lr LR (default
      0.05), one-epoch warm-up, cosine fitted to the time left after each epoch, horizontal flip; 2 threads)
      and saves the final state_dict as OUT.pth. Prints one JSON line: seconds, epochs, steps, images seen.
"""
import json
import sys
import time

import torch

import torchvision_common as common


def init(out):
    torch.manual_seed(0)
    torch.save(common.bccd_ssdlite().state_dict(), out)
    print(json.dumps({"init": out, "torch": common.versions()}))


def train(init_path, out, seconds, lr):
    t0 = time.perf_counter()
    inputs, boxes, labels = common.bccd_training_set("train")
    model = common.bccd_ssdlite()
    model.load_state_dict(torch.load(init_path), strict=True)
    setup = time.perf_counter() - t0
    trained, info = common.train_sgd(model, inputs, boxes, labels, lr, 10_000, time_limit=seconds)
    torch.save(model.state_dict(), out)
    print(json.dumps({"trainSeconds": round(trained, 1), "setupSeconds": round(setup, 1),
                      "trainImages": len(inputs), "lr": lr, **info, **common.versions()}))


def main():
    torch.set_num_threads(2)
    if sys.argv[1] == "init":
        init(sys.argv[2])
    elif sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else 0.05)
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}: init | train")


if __name__ == "__main__":
    main()
