import { tf } from "@od/tf";
import { beforeAll, describe, expect, test } from "vitest";
import {
  BACKBONE_PARAM_PREFIX,
  defaultSsdConfig,
  isBackboneParam,
  isClassHeadParam,
  SsdDetector,
  ssdlite320MobilenetV3LargeConfig,
} from "../src/index.js";
import { useCpu } from "./setup.js";

beforeAll(useCpu);

describe("isBackboneParam and isClassHeadParam", () => {
  test.each([
    ["backbone.stem.conv.w", true, false],
    ["backbone.features.0.0.0.weight", true, false],
    ["head0.cls.pw.w", false, true],
    ["head12.cls.dwbn.mean", false, true],
    ["head0.loc.pw.w", false, false],
    ["head.classification_head.module_list.0.1.weight", false, true],
    ["head.classification_head.module_list.5.0.1.running_var", false, true],
    ["head.regression_head.module_list.0.1.weight", false, false],
    ["headx.cls.w", false, false],
    ["backbonefoo", false, false],
    ["", false, false],
  ])("%j: backbone %s, class head %s", (name, backbone, classHead) => {
    expect(isBackboneParam(name)).toBe(backbone);
    expect(isClassHeadParam(name)).toBe(classHead);
  });

  test("every parameter of od's SSD and of SSDlite is backbone, class head or box head; the split is exhaustive", () => {
    for (const config of [
      defaultSsdConfig({ classNames: ["a"], inputSize: { width: 64, height: 64 } }),
      ssdlite320MobilenetV3LargeConfig({ numClasses: 3, widthMultiplier: 0.25 }),
    ]) {
      const d = new SsdDetector(config);
      const names = d.params.names();
      const backbone = names.filter(isBackboneParam);
      const cls = names.filter(isClassHeadParam);
      expect(backbone.every((n) => n.startsWith(BACKBONE_PARAM_PREFIX))).toBe(true);
      expect(backbone.length).toBeGreaterThan(0);
      expect(cls.length).toBeGreaterThan(0);
      // the class head is exactly what changes shape with the number of classes
      const more = new SsdDetector({ ...config, classNames: [...config.classNames, "extra"] });
      const changed = names.filter((n) => more.params.get(n).size !== d.params.get(n).size);
      expect(changed.length).toBeGreaterThan(0);
      expect(changed.every(isClassHeadParam)).toBe(true);
      d.dispose();
      more.dispose();
    }
  });
});

describe("SsdDetector.forward with frozenBackbone", () => {
  test("training mode: the backbone's batch-norm statistics are kept, the heads' move; no leaks", () => {
    const d = new SsdDetector(
      defaultSsdConfig({ classNames: ["a", "b"], inputSize: { width: 64, height: 64 } }),
    );
    const stats = d.params.names().filter((n) => /\.(mean|var)$/.test(n));
    const backbone = stats.filter(isBackboneParam);
    const heads = stats.filter((n) => !isBackboneParam(n));
    expect(backbone.length).toBeGreaterThan(0);
    expect(heads.length).toBeGreaterThan(0);
    const read = () => new Map(stats.map((n) => [n, Array.from(d.params.get(n).dataSync())]));
    const x = tf.randomUniform([2, 64, 64, 3], -1, 1, "float32", 3) as tf.Tensor4D;
    // the first call caches the backbone's batch-norm-folded filters (owned by the model)
    const warm = d.forward(x, true, { frozenBackbone: true });
    tf.dispose([warm.loc, warm.logits]);
    const before = read();
    const n0 = tf.memory().numTensors;
    const out = d.forward(x, true, { frozenBackbone: true });
    tf.dispose([out.loc, out.logits]);
    expect(tf.memory().numTensors).toBe(n0);
    const after = read();
    for (const n of backbone) expect(after.get(n), n).toEqual(before.get(n));
    for (const n of heads) expect(after.get(n), n).not.toEqual(before.get(n));
    // without the option the backbone's statistics move too
    const plain = d.forward(x, true);
    tf.dispose([plain.loc, plain.logits]);
    const moved = read();
    expect(backbone.filter((n) => JSON.stringify(moved.get(n)) !== JSON.stringify(after.get(n))).length).toBe(
      backbone.length,
    );
    x.dispose();
    d.dispose();
  });
});
