#!/usr/bin/env python3
"""Reference fixtures for confusionMatrix of @od/metrics (writes test/fixtures/confusion.json).

Ultralytics cannot be installed here, so this is a line-by-line numpy transcription of
`ConfusionMatrix.process_batch` (task "detect") of ultralytics/utils/metrics.py (YOLOv8, 8.1/8.2):
class-agnostic matching at IoU > iou_thres among detections with conf > conf, each detection keeps its
best ground truth, then each ground truth keeps its best detection; matrix[predicted, true] with index
nc for background.

Deliberate, documented departures (the same as @od/metrics):
- Ultralytics counts unmatched detections as background false positives only when the image has at
  least one match (`if n:`); an image with detections but no match at all adds nothing to the
  background column. Here every unmatched detection is counted (the guard is left out).
- IoU in float64 without Ultralytics' eps = 1e-7 in the union.
Coordinates are random float32 values (as the TypeScript side stores them) and IoU is computed in
float64 from them, so ties between two IoUs and IoUs equal to the threshold do not occur.

Run: python3 scripts/confusion_reference.py  (numpy only)
"""
import json
import os

import numpy as np


def box_iou(a, b):
    """[N, 4] x [M, 4] xyxy -> [N, M] IoU in float64 (torchvision box_iou without eps)."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    lt = np.maximum(a[:, None, :2], b[None, :, :2])  # [N,M,2]
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])  # [N,M,2]
    wh = np.clip(rb - lt, 0, None)  # [N,M,2]
    inter = wh[..., 0] * wh[..., 1]  # [N,M]
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def process_batch(matrix, nc, conf, iou_thres, detections, gt_bboxes, gt_cls):
    """ConfusionMatrix.process_batch; detections [N, 6] = x1, y1, x2, y2, conf, class."""
    if gt_cls.shape[0] == 0:
        detections = detections[detections[:, 4] > conf]
        for dc in detections[:, 5].astype(int):
            matrix[dc, nc] += 1  # false positives
        return
    detections = detections[detections[:, 4] > conf]
    gt_classes = gt_cls.astype(int)
    detection_classes = detections[:, 5].astype(int)
    iou = box_iou(gt_bboxes, detections[:, :4]) if len(detections) else np.zeros((len(gt_cls), 0))
    x = np.where(iou > iou_thres)
    if x[0].shape[0]:
        matches = np.concatenate((np.stack(x, 1), iou[x[0], x[1]][:, None]), 1)
        if x[0].shape[0] > 1:
            matches = matches[matches[:, 2].argsort()[::-1]]
            matches = matches[np.unique(matches[:, 1], return_index=True)[1]]
            matches = matches[matches[:, 2].argsort()[::-1]]
            matches = matches[np.unique(matches[:, 0], return_index=True)[1]]
    else:
        matches = np.zeros((0, 3))
    n = matches.shape[0] > 0
    m0, m1, _ = matches.transpose().astype(int)
    for i, gc in enumerate(gt_classes):
        j = m0 == i
        if n and sum(j) == 1:
            matrix[detection_classes[m1[j]], gc] += 1  # correct (or confused class)
        else:
            matrix[nc, gc] += 1  # missed: background row
    # Ultralytics guards this loop with `if n:` (see the module docstring); left out here.
    for i, dc in enumerate(detection_classes):
        if not any(m1 == i):
            matrix[dc, nc] += 1  # false detection: background column


def f32(x):
    return np.asarray(x, dtype=np.float32)


def make_case(rng, n_images, nc, max_gt, max_det):
    images = []
    for _ in range(n_images):
        n_gt = int(rng.integers(0, max_gt + 1))
        gb, gl = [], []
        for _ in range(n_gt):
            w, h = rng.uniform(4, 120), rng.uniform(4, 120)
            x, y = rng.uniform(0, 400 - w), rng.uniform(0, 300 - h)
            gb.append([x, y, x + w, y + h])
            gl.append(int(rng.integers(0, nc)))
        n_det = int(rng.integers(0, max_det + 1))
        db, ds, dl = [], [], []
        for _ in range(n_det):
            if gb and rng.random() < 0.6:
                j = int(rng.integers(0, len(gb)))
                x1, y1, x2, y2 = gb[j]
                s = max(x2 - x1, y2 - y1)
                b = [v + rng.normal(0, 0.15 * s) for v in (x1, y1, x2, y2)]
                b = [min(b[0], b[2]), min(b[1], b[3]), max(b[0], b[2]), max(b[1], b[3])]
                db.append(b)
                dl.append(gl[j] if rng.random() < 0.75 else int(rng.integers(0, nc)))
            else:
                w, h = rng.uniform(4, 120), rng.uniform(4, 120)
                x, y = rng.uniform(0, 400 - w), rng.uniform(0, 300 - h)
                db.append([x, y, x + w, y + h])
                dl.append(int(rng.integers(0, nc)))
            ds.append(float(np.float32(rng.random())))
        images.append({
            "gt": {"boxes": f32(gb).reshape(-1, 4).tolist(), "labels": gl},
            "det": {"boxes": f32(db).reshape(-1, 4).tolist(), "scores": ds, "labels": dl},
        })
    return images


def confusion(images, nc, conf, iou_thres):
    matrix = np.zeros((nc + 1, nc + 1), dtype=np.int64)
    for im in images:
        g = im["gt"]
        d = im["det"]
        gt_b = f32(g["boxes"]).reshape(-1, 4)
        gt_c = np.asarray(g["labels"], dtype=np.int64)
        det = np.zeros((len(d["scores"]), 6), dtype=np.float64)
        if len(d["scores"]):
            det[:, :4] = f32(d["boxes"]).reshape(-1, 4)
            det[:, 4] = f32(d["scores"])
            det[:, 5] = d["labels"]
        process_batch(matrix, nc, conf, iou_thres, det, gt_b, gt_c)
    return matrix.tolist()


def main():
    rng = np.random.default_rng(20250611)
    cases = []
    for name, n_images, nc, max_gt, max_det in [
        ("one class, sparse", 20, 1, 3, 4),
        ("three classes", 40, 3, 6, 8),
        ("crowded, many confusions", 30, 5, 12, 20),
        ("images without ground truth", 15, 2, 0, 5),
    ]:
        images = make_case(rng, n_images, nc, max_gt, max_det)
        cases.append({
            "name": name,
            "numClasses": nc,
            "images": images,
            "default": confusion(images, nc, 0.25, 0.45),
            "conf0iou05": confusion(images, nc, 0.0, 0.5),
        })
    out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "confusion.json")
    with open(out, "w") as f:
        json.dump({"cases": cases}, f)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
