// The od side of the writer fixture: small_module.pth (torch) → od parameters in tfjs layout →
// exportStateDict → .safetensors. scripts/make_fixtures.py --check then loads the file in torch with
// load_state_dict(strict=True); test/export.test.ts checks that od still writes the same bytes.
//
//   npx tsx scripts/od-export.ts
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exportStateDict, loadStateDict, readPth, type TargetParam, writeSafetensors } from "../src/index.js";

/** small_module.pth's parameters as od holds them: torch keys, kinds, tfjs shapes. */
export const SMALL_MODULE_PARAMS: readonly TargetParam[] = [
  { key: "conv.weight", kind: "conv2d", shape: [3, 3, 3, 4] },
  { key: "conv.bias", kind: "vector", shape: [4] },
  { key: "bn.weight", kind: "vector", shape: [4] },
  { key: "bn.bias", kind: "vector", shape: [4] },
  { key: "bn.running_mean", kind: "vector", shape: [4] },
  { key: "bn.running_var", kind: "vector", shape: [4] },
  { key: "dw.weight", kind: "depthwise", shape: [3, 3, 4, 2] },
  { key: "fc.weight", kind: "dense", shape: [8, 5] },
  { key: "fc.bias", kind: "vector", shape: [5] },
];

/** The .safetensors bytes od exports for small_module.pth (via tfjs layout and back). */
export function exportSmallModule(pth: Uint8Array): Uint8Array {
  const { values } = loadStateDict(SMALL_MODULE_PARAMS, readPth(pth));
  const params = SMALL_MODULE_PARAMS.map((p) => ({ ...p, data: values.get(p.key)! }));
  return writeSafetensors(exportStateDict(params, { numBatchesTracked: 17n }), {
    metadata: { format: "pt" },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = new URL("../test/fixtures/", import.meta.url);
  const bytes = exportSmallModule(new Uint8Array(readFileSync(new URL("small_module.pth", dir))));
  writeFileSync(new URL("small_module.od.safetensors", dir), bytes);
  console.log(`wrote small_module.od.safetensors (${bytes.length} bytes)`);
}
