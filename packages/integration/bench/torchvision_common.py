"""What od's torchvision scripts share: the timing loop, BCCD reading at the model's 320x320 input,
od's VOC mAP@0.5 (a line-for-line port of @od/metrics' evaluateVoc), safetensors reading and the
reduced-width ssdlite320_mobilenet_v3_large used by the hand-off fixtures.

Run the scripts with Debian's python3 (python3-torch 1.13, python3-torchvision 0.14): /usr/bin/python3.
"""
import gzip
import json
import math
import os
import sys
import time
import xml.etree.ElementTree as ET

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
# The committed BCCD slice (80 images) and the full dataset (not in the repository).
DEMO_BCCD = os.path.join(ROOT, "packages", "cli", "demo-data", "bccd")
SHARED_BCCD = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets", "bccd"))
HANDOFF_FIXTURES = os.path.join(ROOT, "packages", "integration", "test", "fixtures", "bccd-handoff")

# BCCD's classes in od's label order: od and torchvision label k >= 1 is BCCD_CLASSES[k - 1] (0 is background).
BCCD_CLASSES = ["RBC", "WBC", "Platelets"]
SIZE = 320
# The reduced-width SSDlite of the hand-off fixtures (torchvision sets reduced_tail without a pretrained backbone).
HANDOFF_MODEL = {"numClasses": len(BCCD_CLASSES) + 1, "widthMultiplier": 0.25, "reducedTail": True}


def median_seconds(fn, runs, warmup=1):
    """Calls fn() warmup times untimed, then runs times; returns the median wall time in seconds."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2]


def versions():
    import torch
    import torchvision

    return {"torch": torch.__version__, "torchvision": torchvision.__version__}


def bccd_ssdlite(width_mult=1.0):
    """torchvision's ssdlite320_mobilenet_v3_large for BCCD's classes + background, random-initialised
    (seed it first); without a pretrained backbone torchvision builds it with the reduced tail."""
    from torchvision.models.detection import ssdlite320_mobilenet_v3_large

    return ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=len(BCCD_CLASSES) + 1, width_mult=width_mult
    )


def handoff_model():
    """The reduced-width model of HANDOFF_MODEL, random-initialised (seed it first)."""
    return bccd_ssdlite(HANDOFF_MODEL["widthMultiplier"])


def read_split(root, split):
    with open(os.path.join(root, "ImageSets", "Main", f"{split}.txt")) as f:
        return [line.strip() for line in f if line.strip()]


def read_voc(root, image_id):
    """(width, height, boxes [N, 4] xyxy px float64 as written, labels [N] >= 1, difficult [N]) of one VOC image.
    Coordinates are read unchanged (no -1), as @od/data's loadVoc reads them."""
    tree = ET.parse(os.path.join(root, "Annotations", f"{image_id}.xml")).getroot()
    size = tree.find("size")
    w, h = int(size.find("width").text), int(size.find("height").text)
    boxes, labels, difficult = [], [], []
    for obj in tree.findall("object"):
        name = obj.find("name").text.strip()
        b = obj.find("bndbox")
        boxes.append([float(b.find(k).text) for k in ("xmin", "ymin", "xmax", "ymax")])
        labels.append(BCCD_CLASSES.index(name) + 1)
        d = obj.find("difficult")
        difficult.append(int(d.text) if d is not None else 0)
    return w, h, np.array(boxes, dtype=np.float64).reshape(-1, 4), np.array(labels), np.array(difficult)


def valid_boxes(boxes, w, h):
    """True when every box has x1 < x2, y1 < y2 and lies inside the w x h image."""
    return bool(
        np.all(boxes[:, 0] < boxes[:, 2])
        and np.all(boxes[:, 1] < boxes[:, 3])
        and np.all(boxes >= 0)
        and np.all(boxes[:, 2] <= w)
        and np.all(boxes[:, 3] <= h)
    )


def load_input(root, image_id):
    """uint8 [320, 320, 3] RGB: the JPEG decoded by PIL and resized to 320x320 with PIL's bilinear filter
    (aspect ratio not kept, as ssdlite320's transform). Both od and torchvision read these bytes as they are."""
    from PIL import Image

    im = Image.open(os.path.join(root, "JPEGImages", f"{image_id}.jpg")).convert("RGB")
    return np.asarray(im.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.uint8)


def scale_boxes(boxes, w, h):
    """xyxy px of a w x h image -> xyxy px of its 320x320 resize, float64."""
    return boxes * np.array([SIZE / w, SIZE / h, SIZE / w, SIZE / h])


def to_tensor_images(inputs):
    """uint8 [N, H, W, 3] -> list of float [3, H, W] in [0, 1] (torchvision detection models' input)."""
    import torch

    return [torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1).float() / 255.0 for a in inputs]


# --- od's VOC evaluation (packages/metrics/src/voc.ts, internal/voc.ts), ported line for line ---------
EPS = float(np.finfo(np.float64).eps)


def voc_ap_allpoint(rec, prec):
    """Area under the monotone envelope, at recall changes (VOC2010+; od's "allpoint")."""
    n = len(rec)
    mrec = [0.0] + list(rec) + [1.0]
    mpre = [0.0] + list(prec) + [0.0]
    for i in range(n + 1, 0, -1):
        if mpre[i] > mpre[i - 1]:
            mpre[i - 1] = mpre[i]
    ap = 0.0
    for i in range(n + 1):
        if mrec[i + 1] != mrec[i]:
            ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1]
    return ap


def iou64(a, b):
    """IoU of two xyxy boxes (float32 values) in float64, continuous coordinates (no +1); 0 for a zero union."""
    ax1, ay1, ax2, ay2 = (float(v) for v in a)
    bx1, by1, bx2, by2 = (float(v) for v in b)
    iw = max(min(ax2, bx2) - max(ax1, bx1), 0.0)
    ih = max(min(ay2, by2) - max(ay1, by1), 0.0)
    inter = iw * ih
    uni = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    return inter / uni if uni > 0 else 0.0


def evaluate_voc(gts, dets, num_classes, iou_threshold=0.5):
    """od's evaluateVoc with "allpoint" interpolation. gts[i] = (boxes [N, 4], labels [N] in [0, K),
    difficult [N]); dets[i] = (boxes [D, 4], scores [D], labels [D] in [0, K)). Boxes and scores are taken
    as float32 (od stores them so). Per class: detections of all images sorted by score descending, ties
    by image then input order; each takes the first ground truth of maximal IoU (matched or difficult
    ones included); IoU strictly above the threshold: difficult -> ignored, unmatched -> TP, matched ->
    FP; else FP. A class without non-difficult ground truth has AP -1 and is left out of the mean.
    Returns {"ap": [K], "mAP", "classes": [{numGt, numDetections, truePositives, falsePositives}]}."""
    gts = [(np.asarray(b, np.float32).reshape(-1, 4), np.asarray(l), np.asarray(d)) for b, l, d in gts]
    dets = [(np.asarray(b, np.float32).reshape(-1, 4), np.asarray(s, np.float32), np.asarray(l)) for b, s, l in dets]
    aps, classes = [], []
    for c in range(num_classes):
        npos = sum(int(np.sum((l == c) & (d == 0))) for _, l, d in gts)
        entries = []  # (score float32, image, index)
        for im, (_, s, l) in enumerate(dets):
            for j in np.nonzero(l == c)[0]:
                entries.append((s[j], im, int(j)))
        order = sorted(range(len(entries)), key=lambda q: (-float(entries[q][0]), q))
        used = [np.zeros(len(l), bool) for _, l, _ in gts]
        tp = fp = 0
        rec, prec = [], []
        for q in order:
            _, im, j = entries[q]
            gb, gl, gd = gts[im]
            ovmax, jmax = float("-inf"), -1
            for g in np.nonzero(gl == c)[0]:
                o = iou64(dets[im][0][j], gb[g])
                if o > ovmax:
                    ovmax, jmax = o, int(g)
            if ovmax > iou_threshold:
                if not gd[jmax]:
                    if not used[im][jmax]:
                        tp += 1
                        used[im][jmax] = True
                    else:
                        fp += 1
            else:
                fp += 1
            rec.append(tp / npos if npos > 0 else float("nan"))
            prec.append(tp / max(tp + fp, EPS))
        ap = voc_ap_allpoint(rec, prec) if npos > 0 else -1.0
        aps.append(ap)
        classes.append({"numGt": npos, "numDetections": len(entries), "truePositives": tp, "falsePositives": fp})
    defined = [a for a in aps if a >= 0]
    return {"ap": aps, "mAP": sum(defined) / len(defined) if defined else -1.0, "classes": classes}


# --- the hand-off fixtures: committed inputs and ground truth, evaluation JSON ----------------------
def read_handoff_images():
    """(uint8 [N, 320, 320, 3] inputs, images.json) of the committed hand-off evaluation images."""
    with open(os.path.join(HANDOFF_FIXTURES, "images.json")) as f:
        meta = json.load(f)
    with gzip.open(os.path.join(HANDOFF_FIXTURES, "inputs.bin.gz"), "rb") as f:
        raw = np.frombuffer(f.read(), dtype=np.uint8).copy()
    return raw.reshape(len(meta["images"]), SIZE, SIZE, 3), meta


def evaluate_model(model, inputs, meta):
    """Runs model (eval mode) on the committed inputs and evaluates with od's VOC mAP@0.5. Returns the
    evaluation JSON: per-class AP, mAP, counts and the detections (xyxy px of the 320x320 input, torchvision
    labels >= 1) of every image."""
    import torch

    model.eval()
    with torch.no_grad():
        outs = [model([img])[0] for img in to_tensor_images(inputs)]
    k = len(meta["classNames"])
    gts = [
        (im["boxes"], np.array(im["labels"]) - 1, np.array(im["difficult"]))
        for im in meta["images"]
    ]
    dets = [(o["boxes"].numpy(), o["scores"].numpy(), o["labels"].numpy() - 1) for o in outs]
    result = evaluate_voc(gts, dets, k)
    return {
        "versions": versions(),
        "metric": {"protocol": "voc", "interpolation": "allpoint", "iouThreshold": 0.5},
        "classNames": meta["classNames"],
        "ap": result["ap"],
        "mAP": result["mAP"],
        "classes": result["classes"],
        "detections": [
            {
                "boxes": [[f32(v) for v in b] for b in o["boxes"].numpy()],
                "scores": [f32(s) for s in o["scores"].numpy()],
                "labels": [int(l) for l in o["labels"]],
            }
            for o in outs
        ],
    }


def f32(v):
    """A float32 as the shortest decimal that reads back to the same float32 (JSON stays small, exact)."""
    return float(str(np.float32(v)))


def read_safetensors(path):
    """{name: torch tensor} of a .safetensors file (little-endian u64 header length, JSON header, raw data)."""
    import torch

    dtypes = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32,
              "I16": np.int16, "I8": np.int8, "U8": np.uint8, "BOOL": np.bool_}
    with open(path, "rb") as f:
        data = f.read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    out = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        a = np.frombuffer(data[base + begin : base + end], dtype=np.dtype(dtypes[t["dtype"]]).newbyteorder("<"))
        out[name] = torch.from_numpy(a.reshape(t["shape"]).copy())
    return out


# --- training on BCCD (the hand-off fixtures and the accuracy-for-time race) -------------------------
TRAIN_BATCH = 8


def bccd_training_set(split="train"):
    """(uint8 [N, 320, 320, 3], [boxes [n, 4] float32 px of the 320 input], [labels [n]]) of a split of
    the full BCCD; boxes clipped to the image, degenerate ones (under 1 px) dropped, images left without a
    box skipped."""
    import torch

    inputs, boxes, labels = [], [], []
    for image_id in read_split(SHARED_BCCD, split):
        w, h, b, l, _ = read_voc(SHARED_BCCD, image_id)
        b = np.clip(b, 0, [w, h, w, h])
        keep = (b[:, 2] - b[:, 0] >= 1) & (b[:, 3] - b[:, 1] >= 1)
        if not keep.any():
            continue
        inputs.append(load_input(SHARED_BCCD, image_id))
        boxes.append(torch.tensor(scale_boxes(b[keep], w, h), dtype=torch.float32))
        labels.append(torch.tensor(l[keep], dtype=torch.int64))
    return np.stack(inputs), boxes, labels


def train_sgd(model, inputs, boxes, labels, lr, epochs, time_limit=0.0, log=None):
    """Trains an ssdlite320 in place: SGD momentum 0.9, weight decay 4e-5, batch TRAIN_BATCH, linear
    warm-up over the first epoch from 0.001 lr, then cosine annealing to 0; random horizontal flip (p 0.5);
    seeded shuffling (torch.Generator seed 0).

    time_limit > 0 (seconds): training stops between steps once it is exceeded, and after every epoch the
    cosine is fitted to the time left, the rule od's trainer follows (fitScheduleToTime in
    packages/train/src/node/epochs.ts): as many epochs as the remaining time allows at the pace so far,
    3 % kept back, so the rate has decayed when the time is up.

    Returns (seconds, {"epochs": completed, "steps": steps, "images": images seen, "stoppedBy": ...}).
    """
    import torch

    gen = torch.Generator().manual_seed(0)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=4e-5)
    n = len(inputs)
    steps_per_epoch = math.ceil(n / TRAIN_BATCH)
    warmup = steps_per_epoch
    total = epochs * steps_per_epoch

    def lr_at(step):
        if step < warmup:
            return lr * (0.001 + (1 - 0.001) * step / warmup)
        return lr * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))

    images = to_tensor_images(inputs)
    model.train()
    step, seen, done = 0, 0, 0
    stopped_by = "epochs"
    t0 = time.perf_counter()
    elapsed = lambda: time.perf_counter() - t0  # noqa: E731
    for epoch in range(epochs):
        order = torch.randperm(n, generator=gen).tolist()
        flips = torch.rand(n, generator=gen) < 0.5
        losses = []
        for s in range(0, n, TRAIN_BATCH):
            if time_limit > 0 and elapsed() > time_limit:
                stopped_by = "time-limit"
                break
            idx = order[s : s + TRAIN_BATCH]
            imgs, targets = [], []
            for i in idx:
                img, b = images[i], boxes[i].clone()
                if flips[i]:
                    img = img.flip(-1)
                    b[:, [0, 2]] = SIZE - b[:, [2, 0]]
                imgs.append(img)
                targets.append({"boxes": b, "labels": labels[i]})
            for g in opt.param_groups:
                g["lr"] = lr_at(step)
            loss = sum(model(imgs, targets).values())
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss))
            step += 1
            seen += len(idx)
        if stopped_by == "time-limit":
            break
        done = epoch + 1
        if time_limit > 0:
            per_epoch = elapsed() / done
            fit = min(epochs, done + max(0, math.floor((time_limit * 0.97 - elapsed()) / per_epoch)))
            total = max(fit * steps_per_epoch, step + 1, warmup + 1)
        record = {"epoch": done, "loss": sum(losses) / len(losses), "lr": lr_at(step - 1),
                  "seconds": round(elapsed(), 1), "scheduleSteps": total}
        print(json.dumps(record), file=log or sys.stderr)
    return elapsed(), {"epochs": done, "steps": step, "images": seen, "stoppedBy": stopped_by}
