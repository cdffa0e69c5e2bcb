"""torchvision side of bench/run.ts: SSDMatcher + BoxCoder on the same inputs, one thread.

Reads a JSON file {priorsCxcywh: [...], images: [[x1, y1, x2, y2, ...], ...], labels: [[...]], repeats}
and prints one JSON object with median milliseconds per image and per batch.
"""
import json
import statistics
import sys
import time

import torch
from torchvision.models.detection import _utils as det_utils
from torchvision.ops import box_iou

torch.set_num_threads(1)


def main():
    spec = json.load(open(sys.argv[1]))
    pr = torch.tensor(spec["priorsCxcywh"], dtype=torch.float32).reshape(-1, 4)
    anchors = torch.cat([pr[:, :2] - 0.5 * pr[:, 2:], pr[:, :2] + 0.5 * pr[:, 2:]], 1)
    images = [torch.tensor(b, dtype=torch.float32).reshape(-1, 4) for b in spec["images"]]
    labels = [torch.tensor(l, dtype=torch.int64) for l in spec["labels"]]
    matcher = det_utils.SSDMatcher(0.5)
    coder = det_utils.BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))

    def one(gt, lab):
        # as torchvision SSD.forward + compute_loss build the targets of one image
        matches = matcher(box_iou(gt, anchors))
        fg = torch.where(matches >= 0)[0]
        target = coder.encode_single(gt[matches[fg]], anchors[fg])
        cls = torch.zeros(anchors.shape[0], dtype=torch.int64)
        cls[fg] = lab[matches[fg]]
        return target, cls

    with torch.no_grad():
        for i in range(5):
            one(images[i % len(images)], labels[i % len(labels)])
        single = []
        c0 = time.process_time()
        for r in range(spec["repeats"]):
            i = r % len(images)
            t = time.perf_counter()
            one(images[i], labels[i])
            single.append((time.perf_counter() - t) * 1e3)
        single_cpu = (time.process_time() - c0) * 1e3 / spec["repeats"]
        batch = []
        nb = max(3, spec["repeats"] // 20)
        c0 = time.process_time()
        for r in range(nb):
            t = time.perf_counter()
            for i in range(len(images)):
                one(images[i], labels[i])
            batch.append((time.perf_counter() - t) * 1e3)
        batch_cpu = (time.process_time() - c0) * 1e3 / nb
    print(json.dumps({"single_ms": statistics.median(single), "single_min_ms": min(single), "single_cpu_ms": single_cpu, "batch_ms": statistics.median(batch), "batch_min_ms": min(batch), "batch_cpu_ms": batch_cpu, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
