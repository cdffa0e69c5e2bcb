// Read speed of a ~10 MB .pth (and the same tensors as .safetensors) in od, against torch.load in the
// same run. Prints one JSON object per line. Needs Debian's python3 with torch (python3-torch) to make
// the file and time torch; without it, prints a line saying so and exits 0.
//
//   npx tsx bench/run.ts
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readPth, readSafetensors, writeSafetensors } from "../src/index.js";

const PYTHON = "/usr/bin/python3";
const REPEATS = 7;

const MAKE_AND_TIME = `
import sys, time, torch, torchvision
torch.manual_seed(0)
m = torchvision.models.detection.ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=4)
torch.save(m.state_dict(), sys.argv[1])
times = []
for _ in range(${REPEATS}):
    t = time.perf_counter(); sd = torch.load(sys.argv[1]); times.append((time.perf_counter() - t) * 1000)
times.sort()
print(len(sd), times[len(times) // 2])
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(f: () => unknown): number {
  f(); // warm-up, as torch.load's first call is also outside the median's reach
  const ms: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

const dir = mkdtempSync(path.join(tmpdir(), "od-torch-bench-"));
try {
  const file = path.join(dir, "ssdlite.pth");
  const py = spawnSync(PYTHON, ["-c", MAKE_AND_TIME, file], {
    encoding: "utf8",
    env: { ...process.env, OMP_NUM_THREADS: "1" },
  });
  if (py.status !== 0) {
    console.log(
      JSON.stringify({ bench: "readPth", skipped: `${PYTHON} with torch/torchvision is not available` }),
    );
  } else {
    const [keys, torchMs] = py.stdout.trim().split(/\s+/).map(Number);
    const bytes = new Uint8Array(readFileSync(file));
    const sd = readPth(bytes);
    const st = writeSafetensors(sd);
    console.log(
      JSON.stringify({
        bench: "readPth",
        file: "ssdlite320_mobilenet_v3_large(num_classes=4) state_dict",
        bytes: bytes.length,
        keys: sd.size,
        torchKeys: keys,
        odMs: Number(time(() => readPth(bytes)).toFixed(2)),
        torchLoadMs: Number(torchMs!.toFixed(2)),
      }),
    );
    console.log(
      JSON.stringify({
        bench: "safetensors",
        bytes: st.length,
        readMs: Number(time(() => readSafetensors(st)).toFixed(2)),
        writeMs: Number(time(() => writeSafetensors(sd)).toFixed(2)),
      }),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
