"""Times torchvision's CPU box ops on the inputs written by bench/run.ts.

Usage: /usr/bin/python3 bench/torchvision_ops.py <dir>
Reads <dir>/meta.json and the raw little-endian arrays it names; prints one JSON object per line,
in the same shape as bench/run.ts rows. Runs single-threaded (torch.set_num_threads(1)); the default
thread count torch would have used is reported in the first row.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torchvision
from torchvision.ops import batched_nms, box_iou, nms
from torchvision.models.detection._utils import BoxCoder


def load(d, name, dtype, shape):
    a = np.fromfile(os.path.join(d, name), dtype=dtype).reshape(shape)
    return torch.from_numpy(a.copy())


def timeit(fn, runs, warmup):
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(ts), min(ts)


def row(name, ms, runs, **extra):
    print(json.dumps({"name": name, "impl": "torchvision", "ms_median": round(ms[0], 3), "ms_min": round(ms[1], 3), "runs": runs, **extra}), flush=True)


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    default_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    print(json.dumps({"name": "env", "impl": "torchvision", "torch": torch.__version__, "torchvision": torchvision.__version__,
                      "default_threads": default_threads, "threads": torch.get_num_threads()}), flush=True)
    runs, warmup = meta["runs"], meta["warmup"]
    with torch.no_grad():
        n, m = meta["iou"]["n"], meta["iou"]["m"]
        a = load(d, "iou_a.f32", np.float32, (n, 4))
        b = load(d, "iou_b.f32", np.float32, (m, 4))
        row("iou_matrix", timeit(lambda: box_iou(a, b), runs, warmup), runs, n=n, m=m)

        k = meta["nms"]["n"]
        boxes = load(d, "nms_boxes.f32", np.float32, (k, 4))
        scores = load(d, "nms_scores.f32", np.float32, (k,))
        classes = load(d, "nms_classes.i32", np.int32, (k,)).long()
        thr = meta["nms"]["iou_threshold"]
        kept = nms(boxes, scores, thr)
        row("nms", timeit(lambda: nms(boxes, scores, thr), runs, warmup), runs, n=k, iou_threshold=thr, kept=int(kept.numel()))
        kept = batched_nms(boxes, scores, classes, thr)
        row("batched_nms", timeit(lambda: batched_nms(boxes, scores, classes, thr), runs, warmup), runs, n=k,
            classes=meta["nms"]["classes"], iou_threshold=thr, kept=int(kept.numel()))

        p = meta["coder"]["n"]
        priors = load(d, "coder_priors_xyxy.f32", np.float32, (p, 4))
        matched = load(d, "coder_matched_xyxy.f32", np.float32, (p, 4))
        coder = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))

        def enc_dec():
            t = coder.encode_single(matched, priors)
            return coder.decode_single(t, priors)

        row("encode_decode", timeit(enc_dec, runs, warmup), runs, n=p)


if __name__ == "__main__":
    main()
