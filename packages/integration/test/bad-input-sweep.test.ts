/**
 * `scripts/bad-input-sweep.mjs` feeds ~350 broken datasets (VOC, COCO, YOLO annotations, images, split
 * lists, names files) to `odet data check`. Every broken one must end in a clear error naming the file
 * or in a listed issue, every valid one must be accepted: no crash, nothing silent.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

test.skipIf(process.platform === "win32")(
  "every broken dataset is a clear error or a listed issue; none crashes or passes silently",
  () => {
    let stdout: string;
    try {
      stdout = execFileSync(process.execPath, [path.join(repo, "scripts/bad-input-sweep.mjs"), "--json"], {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      });
    } catch (e) {
      // exit 1: some case crashed, passed silently or refused valid input; its lines say which.
      throw new Error(String((e as { stdout?: string }).stdout ?? e));
    }
    const summary = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
      cases: number;
      total: Record<string, number>;
    };
    expect(summary.cases).toBeGreaterThan(300);
    expect(summary.total).toMatchObject({ crash: 0, silent: 0, "rejected-valid": 0 });
    expect(summary.total.error! + summary.total.reported!).toBeGreaterThan(280);
  },
  120_000,
);
