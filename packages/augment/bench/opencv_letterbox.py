"""Letterbox 640x480 -> 300x300 with OpenCV (cv2.resize INTER_LINEAR + copyMakeBorder), single thread.

Usage: python3 opencv_letterbox.py <jpeg dir> <n images> <seconds>
Prints one JSON object per line, like bench/run.ts.
"""
import glob
import json
import sys
import time

import cv2

cv2.setNumThreads(1)
files = sorted(glob.glob(sys.argv[1] + "/*.jpg"))[: int(sys.argv[2])]
seconds = float(sys.argv[3])
images = [cv2.cvtColor(cv2.imread(f), cv2.COLOR_BGR2RGB) for f in files]


def letterbox(im, tw, th):
    h, w = im.shape[:2]
    s = min(tw / w, th / h)
    rw, rh = max(1, round(w * s)), max(1, round(h * s))
    r = cv2.resize(im, (rw, rh), interpolation=cv2.INTER_LINEAR)
    ox, oy = (tw - rw) // 2, (th - rh) // 2
    return cv2.copyMakeBorder(r, oy, th - rh - oy, ox, tw - rw - ox, cv2.BORDER_CONSTANT, value=0)


def bench(name, fn):
    for im in images[:3]:
        fn(im)
    n = 0
    t0 = time.perf_counter()
    c0 = time.process_time()
    while time.perf_counter() - t0 < seconds:
        fn(images[n % len(images)])
        n += 1
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({"bench": name, "impl": "opencv " + cv2.__version__, "images": n, "imagesPerCpuSecond": round(n / cpu, 1), "cpuMsPerImage": round(1000 * cpu / n, 3), "imagesPerWallSecond": round(n / dt, 1)}))


bench("letterbox 640x480->300x300", lambda im: letterbox(im, 300, 300))
bench("horizontalFlip 640x480", lambda im: cv2.flip(im, 1))
