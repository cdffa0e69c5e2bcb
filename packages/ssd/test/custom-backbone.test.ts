import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import { type Backbone, defaultSsdConfig, heNormal, SsdDetector, withInputSize } from "../src/index.js";
import { loadDetector, saveDetector } from "../src/node.js";
import { useCpu } from "./setup.js";

/** Two stride-2 convs then a tap at stride 4 and one at stride 8 (16 and 24 channels). */
const tiny: Backbone = {
  name: "tiny-test",
  taps: [
    { name: "s4", stride: 4, channels: 16 },
    { name: "s8", stride: 8, channels: 24 },
  ],
  init(store, seed) {
    const shapes = [
      [3, 8],
      [8, 16],
      [16, 24],
    ] as const;
    shapes.forEach(([cin, cout], k) => {
      store.add(`backbone.c${k}.w`, heNormal([3, 3, cin, cout], 9 * cin, seed, `backbone.c${k}.w`), true);
    });
  },
  apply(store, x) {
    const conv = (y: tf.Tensor4D, k: number) =>
      tf.relu6(tf.conv2d(y, store.get(`backbone.c${k}.w`) as tf.Tensor4D, 2, "same"));
    const s4 = conv(conv(x, 0), 1);
    return [s4, conv(s4, 2)];
  },
};
const config = defaultSsdConfig({
  classNames: ["a", "b"],
  inputSize: { width: 64, height: 48 },
  backbone: { kind: "custom", name: "tiny-test" },
});

beforeAll(useCpu);

describe("a user-written backbone", () => {
  test("the detector lays its priors and heads on the backbone's maps", () => {
    const before = tf.memory().numTensors;
    const det = new SsdDetector(config, { backbone: tiny });
    // s4: 12x16 cells, s8: 6x8 cells; default priors: 4 boxes per cell on every level
    expect(det.priors.length).toBe((12 * 16 + 6 * 8) * det.boxesPerCell[0]!);
    const x = tf.zeros([1, 48, 64, 3]) as tf.Tensor4D;
    const out = det.forward(x, false);
    expect(out.loc.shape).toEqual([1, det.priors.length, 4]);
    tf.dispose([x, out.loc, out.logits]);
    det.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
  test("the config must name the passed backbone; a custom config needs the object", () => {
    expect(() => new SsdDetector(config)).toThrow(
      /"tiny-test" is a custom backbone: pass the Backbone object/,
    );
    expect(
      () => new SsdDetector({ ...config, backbone: { kind: "custom", name: "other" } }, { backbone: tiny }),
    ).toThrow(
      /a custom backbone named "tiny-test" needs config.backbone = \{ kind: "custom", name: "tiny-test" \}/,
    );
    const builtIn = defaultSsdConfig({ classNames: ["a"] });
    expect(() => new SsdDetector(builtIn, { backbone: tiny })).toThrow(/needs config.backbone/);
  });
  test("save and load with the backbone give the same weights; without it, a checkpoint error", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "od-ssd-custom-"));
    const det = new SsdDetector(config, { backbone: tiny });
    try {
      await saveDetector(det, dir);
      const back = await loadDetector(dir, { backbone: tiny });
      for (const name of det.params.names())
        expect(back.params.get(name).dataSync()).toEqual(det.params.get(name).dataSync());
      back.dispose();
      await expect(loadDetector(dir)).rejects.toThrow(/model\.json: .*"tiny-test" is a custom backbone/);
      const resized = withInputSize(det, { width: 96, height: 64 });
      expect(resized.backbone).toBe(tiny);
      resized.dispose();
    } finally {
      det.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
