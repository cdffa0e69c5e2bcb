#!/usr/bin/env python3
"""Reference fixtures for @od/metrics (writes test/fixtures/reference.json).

pycocotools is not installable here, so this is a line-by-line transcription of the published
algorithms in numpy, kept as close to the originals as possible:

- COCO: pycocotools/cocoeval.py (COCOeval.computeIoU, evaluateImg, accumulate, summarize) and the
  box IoU of pycocotools/common/maskApi.c (bbIou), for iouType='bbox', useCats=1.
- VOC: voc_eval() and voc_ap() of py-faster-rcnn lib/datasets/voc_eval.py.

Deliberate, documented departures (the same as @od/metrics): boxes are continuous xyxy (no `+1` on
widths in voc_eval), ground-truth area is the box area, VOC sorts detections with a stable sort,
`difficult` ground truth is ignored in COCO (ignore = iscrowd or difficult), crowd counts as difficult
in VOC. All coordinates are multiples of 0.25 and all scores multiples of 1/16, so float32 storage on
the TypeScript side is exact.

Run: python3 scripts/reference.py  (numpy only)
"""
import json
import os
from collections import defaultdict

import numpy as np


# ---------------------------------------------------------------- pycocotools (transcribed)
def bb_iou(dt, gt, iscrowd):
    """maskApi.c bbIou on xyxy boxes: o = i / u, u = da if crowd else da + ga - i."""
    m, n = len(dt), len(gt)
    if m == 0 or n == 0:
        return []
    o = np.zeros((m, n))
    for g in range(n):
        gx1, gy1, gx2, gy2 = gt[g]
        ga = (gx2 - gx1) * (gy2 - gy1)
        for d in range(m):
            dx1, dy1, dx2, dy2 = dt[d]
            da = (dx2 - dx1) * (dy2 - dy1)
            w = min(dx2, gx2) - max(dx1, gx1)
            if w <= 0:
                continue
            h = min(dy2, gy2) - max(dy1, gy1)
            if h <= 0:
                continue
            i = w * h
            u = da if iscrowd[g] else da + ga - i
            o[d, g] = i / u
    return o


class Params:
    def __init__(self):
        self.iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
        self.recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
        self.maxDets = [1, 10, 100]
        self.areaRng = [[0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]]
        self.areaRngLbl = ['all', 'small', 'medium', 'large']


def coco_eval(images, K, ignore_difficult=True):
    p = Params()
    p.imgIds = list(range(len(images)))
    p.catIds = list(range(K))
    _gts, _dts = defaultdict(list), defaultdict(list)
    aid = 1
    for img_id, im in enumerate(images):
        g = im['gt']
        for j in range(len(g['labels'])):
            b = g['boxes'][j]
            crowd = int(g['crowd'][j])
            _gts[img_id, g['labels'][j]].append({
                'id': aid, 'bbox': b, 'area': (b[2] - b[0]) * (b[3] - b[1]), 'iscrowd': crowd,
                'ignore': int(crowd or (ignore_difficult and g['difficult'][j])),
            })
            aid += 1
        d = im['det']
        for j in range(len(d['labels'])):
            b = d['boxes'][j]
            _dts[img_id, d['labels'][j]].append({
                'id': aid, 'bbox': b, 'area': (b[2] - b[0]) * (b[3] - b[1]), 'score': d['scores'][j],
            })
            aid += 1

    def computeIoU(imgId, catId):
        gt, dt = _gts[imgId, catId], _dts[imgId, catId]
        if len(gt) == 0 and len(dt) == 0:
            return []
        inds = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in inds]
        if len(dt) > p.maxDets[-1]:
            dt = dt[0:p.maxDets[-1]]
        iscrowd = [int(o['iscrowd']) for o in gt]
        return bb_iou([d['bbox'] for d in dt], [g['bbox'] for g in gt], iscrowd)

    ious_all = {(i, k): computeIoU(i, k) for i in p.imgIds for k in p.catIds}

    def evaluateImg(imgId, catId, aRng, maxDet):
        gt, dt = _gts[imgId, catId], _dts[imgId, catId]
        if len(gt) == 0 and len(dt) == 0:
            return None
        for g in gt:
            g['_ignore'] = 1 if (g['ignore'] or (g['area'] < aRng[0] or g['area'] > aRng[1])) else 0
        gtind = np.argsort([g['_ignore'] for g in gt], kind='mergesort')
        gt = [gt[i] for i in gtind]
        dtind = np.argsort([-d['score'] for d in dt], kind='mergesort')
        dt = [dt[i] for i in dtind[0:maxDet]]
        iscrowd = [int(o['iscrowd']) for o in gt]
        ious = ious_all[imgId, catId][:, gtind] if len(ious_all[imgId, catId]) > 0 else ious_all[imgId, catId]
        T, G, D = len(p.iouThrs), len(gt), len(dt)
        gtm = np.zeros((T, G))
        dtm = np.zeros((T, D))
        gtIg = np.array([g['_ignore'] for g in gt])
        dtIg = np.zeros((T, D))
        if not len(ious) == 0:
            for tind, t in enumerate(p.iouThrs):
                for dind, d in enumerate(dt):
                    iou = min([t, 1 - 1e-10])
                    m = -1
                    for gind, g in enumerate(gt):
                        if gtm[tind, gind] > 0 and not iscrowd[gind]:
                            continue
                        if m > -1 and gtIg[m] == 0 and gtIg[gind] == 1:
                            break
                        if ious[dind, gind] < iou:
                            continue
                        iou = ious[dind, gind]
                        m = gind
                    if m == -1:
                        continue
                    dtIg[tind, dind] = gtIg[m]
                    dtm[tind, dind] = gt[m]['id']
                    gtm[tind, m] = d['id']
        a = np.array([d['area'] < aRng[0] or d['area'] > aRng[1] for d in dt]).reshape((1, len(dt)))
        dtIg = np.logical_or(dtIg, np.logical_and(dtm == 0, np.repeat(a, T, 0)))
        return {'dtScores': [d['score'] for d in dt], 'dtMatches': dtm, 'gtMatches': gtm,
                'dtIgnore': dtIg, 'gtIgnore': gtIg}

    maxDet = p.maxDets[-1]
    evalImgs = [evaluateImg(imgId, catId, areaRng, maxDet)
                for catId in p.catIds for areaRng in p.areaRng for imgId in p.imgIds]

    # accumulate
    T, R, A, M = len(p.iouThrs), len(p.recThrs), len(p.areaRng), len(p.maxDets)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    I0, A0 = len(p.imgIds), len(p.areaRng)
    for k in range(K):
        Nk = k * A0 * I0
        for a in range(A):
            Na = a * I0
            for m, maxDet in enumerate(p.maxDets):
                E = [evalImgs[Nk + Na + i] for i in range(I0)]
                E = [e for e in E if e is not None]
                if len(E) == 0:
                    continue
                dtScores = np.concatenate([e['dtScores'][0:maxDet] for e in E])
                inds = np.argsort(-dtScores, kind='mergesort')
                dtm = np.concatenate([e['dtMatches'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                dtIg = np.concatenate([e['dtIgnore'][:, 0:maxDet] for e in E], axis=1)[:, inds]
                gtIg = np.concatenate([e['gtIgnore'] for e in E])
                npig = np.count_nonzero(gtIg == 0)
                if npig == 0:
                    continue
                tps = np.logical_and(dtm, np.logical_not(dtIg))
                fps = np.logical_and(np.logical_not(dtm), np.logical_not(dtIg))
                tp_sum = np.cumsum(tps, axis=1).astype(dtype=float)
                fp_sum = np.cumsum(fps, axis=1).astype(dtype=float)
                for t, (tp, fp) in enumerate(zip(tp_sum, fp_sum)):
                    tp = np.array(tp)
                    fp = np.array(fp)
                    nd = len(tp)
                    rc = tp / npig
                    pr = tp / (fp + tp + np.spacing(1))
                    q = np.zeros((R,))
                    recall[t, k, a, m] = rc[-1] if nd else 0
                    pr = pr.tolist()
                    q = q.tolist()
                    for i in range(nd - 1, 0, -1):
                        if pr[i] > pr[i - 1]:
                            pr[i - 1] = pr[i]
                    inds2 = np.searchsorted(rc, p.recThrs, side='left')
                    try:
                        for ri, pi in enumerate(inds2):
                            q[ri] = pr[pi]
                    except IndexError:
                        pass
                    precision[t, :, k, a, m] = np.array(q)

    def _summarize(ap=1, iouThr=None, areaRng='all', maxDets=100, k=None):
        aind = [i for i, aRng in enumerate(p.areaRngLbl) if aRng == areaRng]
        mind = [i for i, mDet in enumerate(p.maxDets) if mDet == maxDets]
        if ap == 1:
            s = precision
            if iouThr is not None:
                t = np.where(iouThr == p.iouThrs)[0]
                s = s[t]
            s = s[:, :, :, aind, mind] if k is None else s[:, :, k:k + 1, aind, mind]
        else:
            s = recall
            s = s[:, :, aind, mind] if k is None else s[:, k:k + 1, aind, mind]
        return -1 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))

    stats = [_summarize(1), _summarize(1, iouThr=.5), _summarize(1, iouThr=.75),
             _summarize(1, areaRng='small'), _summarize(1, areaRng='medium'), _summarize(1, areaRng='large'),
             _summarize(0, maxDets=1), _summarize(0, maxDets=10), _summarize(0, maxDets=100),
             _summarize(0, areaRng='small'), _summarize(0, areaRng='medium'), _summarize(0, areaRng='large')]
    per_class = [_summarize(1, k=k) for k in range(K)]
    per_class50 = [_summarize(1, iouThr=.5, k=k) for k in range(K)]
    return stats, per_class, per_class50


# ---------------------------------------------------------------- voc_eval (transcribed)
def voc_ap(rec, prec, use_07_metric=False):
    if use_07_metric:
        ap = 0.
        for t in np.arange(0., 1.1, 0.1):
            if np.sum(rec >= t) == 0:
                p = 0
            else:
                p = np.max(prec[rec >= t])
            ap = ap + p / 11.
    else:
        mrec = np.concatenate(([0.], rec, [1.]))
        mpre = np.concatenate(([0.], prec, [0.]))
        for i in range(mpre.size - 1, 0, -1):
            mpre[i - 1] = np.maximum(mpre[i - 1], mpre[i])
        i = np.where(mrec[1:] != mrec[:-1])[0]
        ap = np.sum((mrec[i + 1] - mrec[i]) * mpre[i + 1])
    return ap


def voc_eval(images, classname, ovthresh=0.5, use_07_metric=False):
    class_recs = {}
    npos = 0
    for imagename, im in enumerate(images):
        g = im['gt']
        R = [j for j in range(len(g['labels'])) if g['labels'][j] == classname]
        bbox = np.array([g['boxes'][j] for j in R]).reshape(-1, 4)
        difficult = np.array([bool(g['difficult'][j] or g['crowd'][j]) for j in R]).astype(bool)
        det = [False] * len(R)
        npos = npos + sum(~difficult)
        class_recs[imagename] = {'bbox': bbox, 'difficult': difficult, 'det': det}
    image_ids, confidence, BB = [], [], []
    for imagename, im in enumerate(images):
        d = im['det']
        for j in range(len(d['labels'])):
            if d['labels'][j] == classname:
                image_ids.append(imagename)
                confidence.append(d['scores'][j])
                BB.append(d['boxes'][j])
    confidence = np.array(confidence)
    BB = np.array(BB).reshape(-1, 4)
    sorted_ind = np.argsort(-confidence, kind='stable')
    BB = BB[sorted_ind, :]
    image_ids = [image_ids[x] for x in sorted_ind]
    nd = len(image_ids)
    tp = np.zeros(nd)
    fp = np.zeros(nd)
    for d in range(nd):
        R = class_recs[image_ids[d]]
        bb = BB[d, :].astype(float)
        ovmax = -np.inf
        BBGT = R['bbox'].astype(float)
        if BBGT.size > 0:
            ixmin = np.maximum(BBGT[:, 0], bb[0])
            iymin = np.maximum(BBGT[:, 1], bb[1])
            ixmax = np.minimum(BBGT[:, 2], bb[2])
            iymax = np.minimum(BBGT[:, 3], bb[3])
            iw = np.maximum(ixmax - ixmin, 0.)
            ih = np.maximum(iymax - iymin, 0.)
            inters = iw * ih
            uni = ((bb[2] - bb[0]) * (bb[3] - bb[1]) +
                   (BBGT[:, 2] - BBGT[:, 0]) * (BBGT[:, 3] - BBGT[:, 1]) - inters)
            overlaps = inters / uni
            ovmax = np.max(overlaps)
            jmax = np.argmax(overlaps)
        if ovmax > ovthresh:
            if not R['difficult'][jmax]:
                if not R['det'][jmax]:
                    tp[d] = 1.
                    R['det'][jmax] = 1
                else:
                    fp[d] = 1.
        else:
            fp[d] = 1.
    fp = np.cumsum(fp)
    tp = np.cumsum(tp)
    if npos == 0:
        return -1
    rec = tp / float(npos)
    prec = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    return float(voc_ap(rec, prec, use_07_metric))


# ---------------------------------------------------------------- random cases
def q(x, step=0.25):
    return float(np.round(x / step) * step)


def make_case(rng, n_images, K, max_gt, max_det, p_crowd, p_difficult, score_step, sizes):
    images = []
    for _ in range(n_images):
        ng = int(rng.integers(0, max_gt + 1))
        gb, gl, gd, gc = [], [], [], []
        for _ in range(ng):
            s = float(rng.choice(sizes))
            w, h = q(s * rng.uniform(0.5, 1.5)), q(s * rng.uniform(0.5, 1.5))
            x, y = q(rng.uniform(0, 400)), q(rng.uniform(0, 400))
            gb.append([x, y, x + max(w, 1), y + max(h, 1)])
            gl.append(int(rng.integers(0, K)))
            gd.append(int(rng.random() < p_difficult))
            gc.append(int(rng.random() < p_crowd))
        nd = int(rng.integers(0, max_det + 1))
        db, dl, ds = [], [], []
        for _ in range(nd):
            if gb and rng.random() < 0.7:
                j = int(rng.integers(0, len(gb)))
                x1, y1, x2, y2 = gb[j]
                w, h = x2 - x1, y2 - y1
                jit = rng.uniform(0, 0.35)
                nx1 = q(x1 + rng.normal(0, jit) * w)
                ny1 = q(y1 + rng.normal(0, jit) * h)
                nx2 = max(q(x2 + rng.normal(0, jit) * w), nx1 + 0.25)
                ny2 = max(q(y2 + rng.normal(0, jit) * h), ny1 + 0.25)
                db.append([nx1, ny1, nx2, ny2])
                dl.append(gl[j] if rng.random() < 0.85 else int(rng.integers(0, K)))
            else:
                s = float(rng.choice(sizes))
                x, y = q(rng.uniform(0, 400)), q(rng.uniform(0, 400))
                db.append([x, y, x + max(q(s * rng.uniform(0.5, 1.5)), 1), y + max(q(s * rng.uniform(0.5, 1.5)), 1)])
                dl.append(int(rng.integers(0, K)))
            ds.append(q(rng.random(), score_step))
        images.append({'gt': {'boxes': gb, 'labels': gl, 'difficult': gd, 'crowd': gc},
                       'det': {'boxes': db, 'scores': ds, 'labels': dl}})
    return images


def main():
    rng = np.random.default_rng(20240607)
    specs = [
        # name, images, K, max_gt, max_det, p_crowd, p_difficult, score_step, sizes
        ('mixed', 25, 3, 6, 14, 0.1, 0.1, 1 / 16, [12, 24, 40, 64, 120]),
        ('ties-everywhere', 15, 2, 5, 10, 0.0, 0.0, 1 / 2, [30, 60]),
        ('crowd-heavy', 15, 2, 6, 12, 0.4, 0.0, 1 / 16, [20, 50, 110]),
        ('difficult-heavy', 15, 2, 6, 12, 0.0, 0.4, 1 / 16, [20, 50, 110]),
        ('over-max-dets', 4, 2, 8, 160, 0.05, 0.05, 1 / 64, [16, 40, 100]),
        ('sparse', 30, 4, 2, 3, 0.05, 0.05, 1 / 16, [10, 35, 97]),
    ]
    cases = []
    for name, *args in specs:
        images = make_case(rng, *args)
        K = args[1]
        stats, per_class, per_class50 = coco_eval(images, K)
        stats_count, _, _ = coco_eval(images, K, ignore_difficult=False)
        cases.append({
            'name': name, 'numClasses': K, 'images': images,
            'coco': {'stats': stats, 'ap': per_class, 'ap50': per_class50, 'statsDifficultCount': stats_count},
            'voc': {'allpoint': [voc_eval(images, k) for k in range(K)],
                    'point11': [voc_eval(images, k, use_07_metric=True) for k in range(K)]},
        })
    out = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'reference.json')
    with open(out, 'w') as f:
        json.dump({'generator': 'scripts/reference.py', 'cases': cases}, f, separators=(',', ':'))
    print('wrote', out, sum(len(c['images']) for c in cases), 'images')


if __name__ == '__main__':
    main()
