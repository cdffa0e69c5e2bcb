// Regenerates src/vendor/tfjs-core/gradients/ and src/vendor/tfjs-core/chained-ops.ts from the installed
// @tensorflow/tfjs-core.
//
// tfjs-core ships its gradient definitions only as un-bundled ESM under dist/gradients/ with
// extension-less relative imports, which Node's ESM loader cannot resolve (and the CJS bundle that
// Node loads for `@tensorflow/tfjs-core` contains no gradients at all). This script takes the
// original TypeScript of every `*_grad.ts` (embedded in the dist source maps), rewrites each import
// onto tfjs-core's public API (or onto src/internal/tfjs-internal.ts for the few internal helpers), and writes
// one file per gradient plus `register_all.ts`. The result imports only `@tensorflow/tfjs-core`, so
// one copy of the engine is used in Node and in bundlers alike.
//
// The output is kept exactly as written here (src/vendor is outside lint, formatting, coverage and
// duplicate scans; see src/vendor/README.md), so a regeneration with the same tfjs-core reproduces the
// committed files byte for byte.
//
// Usage: node scripts/vendor-tfjs-core.mjs            (rewrites src/vendor/tfjs-core)
//        node scripts/vendor-tfjs-core.mjs --check    (exit 1 when the committed files differ)
//        --dir DIR                                    (another folder instead of src/vendor/tfjs-core)
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const corePkg = require.resolve("@tensorflow/tfjs-core/package.json");
const coreVersion = JSON.parse(fs.readFileSync(corePkg, "utf8")).version;
const dist = path.join(path.dirname(corePkg), "dist");
const dirArg = process.argv.indexOf("--dir");
const vendorDir =
  dirArg > 0 && process.argv[dirArg + 1] !== undefined
    ? path.resolve(process.argv[dirArg + 1])
    : path.join(here, "..", "src", "vendor", "tfjs-core");
const out = path.join(vendorDir, "gradients");

/** Original TypeScript of a dist file, from its inline source map. */
function originalSource(file) {
  const js = fs.readFileSync(file, "utf8");
  const m = js.match(/sourceMappingURL=data:application\/json;base64,(\S+)/);
  if (!m) throw new Error(`no inline source map in ${file}`);
  return JSON.parse(Buffer.from(m[1], "base64").toString("utf8")).sourcesContent[0];
}

/** Public value exports of tfjs-core (from the flat ESM bundle's export list). */
const fesm = fs.readFileSync(path.join(dist, "tf-core.fesm.js"), "utf8");
const exportList = fesm.slice(fesm.lastIndexOf("export {"));
const publicNames = new Set(
  exportList
    .replace(/^export \{|\};[\s\S]*$/g, "")
    .split(",")
    .map((s) =>
      s
        .trim()
        .split(/\s+as\s+/)
        .pop(),
    ),
);
/** Type-only names: resolve through the public type declarations. */
const isTypeName = (n) =>
  /^(NamedAttrMap|GradConfig|NamedTensorMap|Rank|ShapeMap|TensorLike|Tensor\dD|.*Attrs|.*Inputs)$/.test(n);

const BACKPROP_OPS = [
  "avg_pool_3d_grad",
  "avg_pool_grad",
  "conv2d_backprop_filter",
  "conv2d_backprop_input",
  "conv3d_backprop_filter",
  "conv3d_backprop_input",
  "depthwise_conv2d_native_backprop_filter",
  "depthwise_conv2d_native_backprop_input",
  "local_response_normalization_backprop",
  "max_pool_3d_grad",
  "max_pool_grad",
];

// The upstream sources are written for tfjs-core's compiler flags (no noUncheckedIndexedAccess,
// no strictFunctionTypes...), so they are not type-checked here; tests check the gradients.
const BANNER = `// Vendored from @tensorflow/tfjs-core ${coreVersion} by scripts/vendor-tfjs-core.mjs. Do not edit.
// @ts-nocheck
// biome-ignore-all lint: vendored upstream code, kept verbatim
// biome-ignore-all format: vendored upstream code, kept verbatim
`;

/** Rewrites the imports of one source file. `kind` is "grad" or "op". */
function rewrite(src, kind) {
  const core = new Set();
  const coreTypes = new Set();
  const internal = new Set();
  const internalTypes = new Set();
  const local = [];
  let body = src.replace(/import\s+(type\s+)?([\s\S]*?)\s+from\s+'([^']+)';\n?/g, (_all, _t, what, spec) => {
    if (spec.startsWith("./") && kind === "grad") {
      local.push(`import ${what} from "${spec}.js";`);
      return "";
    }
    if (kind === "grad" && spec.startsWith("../ops/") && BACKPROP_OPS.includes(spec.slice(7))) {
      local.push(`import ${what} from "./ops/${spec.slice(7)}.js";`);
      return "";
    }
    const ns = what.match(/^\*\s+as\s+(\w+)$/);
    if (ns) {
      (publicNames.has(ns[1]) ? core : internal).add(ns[1]);
      return "";
    }
    for (const raw of what.replace(/[{}]/g, "").split(",")) {
      const name = raw.trim();
      if (!name) continue;
      if (name === "ExplicitPadding") internalTypes.add(name);
      else if (isTypeName(name) && !publicNames.has(name)) coreTypes.add(name);
      else if (name === "Tensor" || (publicNames.has(name) && !/_util$/.test(spec))) core.add(name);
      else internal.add(name);
    }
    return "";
  });
  // One typed boundary instead of `as unknown as` at every kernel call.
  body = body.replace(/([\w.]+) as unknown as NamedTensorMap/g, "asNamedTensorMap($1)");
  body = body.replace(/([\w.]+) as unknown as NamedAttrMap/g, "asNamedAttrMap($1)");
  body = body.replace(/([\w.]+)\s+as unknown as (\w+Attrs)\b/g, "attrsAs<$2>($1)");
  if (body.includes("attrsAs<")) internal.add("attrsAs");
  if (body.includes("asNamedTensorMap(")) internal.add("asNamedTensorMap");
  if (body.includes("asNamedAttrMap(")) internal.add("asNamedAttrMap");
  if (!/\bNamedTensorMap\b/.test(body)) coreTypes.delete("NamedTensorMap");
  if (!/\bNamedAttrMap\b/.test(body)) coreTypes.delete("NamedAttrMap");
  const shim =
    kind === "grad" ? "../../../internal/tfjs-internal.js" : "../../../../internal/tfjs-internal.js";
  const lines = [];
  if (core.size) lines.push(`import { ${[...core].sort().join(", ")} } from "@tensorflow/tfjs-core";`);
  if (coreTypes.size)
    lines.push(`import type { ${[...coreTypes].sort().join(", ")} } from "@tensorflow/tfjs-core";`);
  if (internal.size) lines.push(`import { ${[...internal].sort().join(", ")} } from "${shim}";`);
  if (internalTypes.size)
    lines.push(`import type { ${[...internalTypes].sort().join(", ")} } from "${shim}";`);
  lines.push(...local);
  // Keep the licence header first.
  const header = body.match(/^\/\*\*[\s\S]*?\*\/\n/);
  const rest = header ? body.slice(header[0].length) : body;
  const banner = BANNER;
  return `${header ? header[0] : ""}${banner}${lines.join("\n")}\n${rest.replace(/^\n+/, "\n")}`;
}

/** Every generated file: path relative to src/vendor/tfjs-core -> contents. */
const generated = new Map();
const gradFiles = fs.readdirSync(path.join(dist, "gradients")).filter((f) => f.endsWith(".js"));
for (const f of gradFiles) {
  const src = originalSource(path.join(dist, "gradients", f));
  generated.set(`gradients/${f.replace(/\.js$/, ".ts")}`, rewrite(src, "grad"));
}
for (const f of BACKPROP_OPS) {
  const src = originalSource(path.join(dist, "ops", `${f}.js`));
  generated.set(`gradients/ops/${f}.ts`, rewrite(src, "op"));
}
// register_all.ts: the list of tfjs-core's register_all_gradients.ts, exported (registration is ours).
const allSrc = originalSource(path.join(dist, "register_all_gradients.js"));
const allHeader = allSrc.match(/^\/\*\*[\s\S]*?\*\/\n/)[0];
const all = (allHeader + BANNER + allSrc.slice(allHeader.length))
  .replace(/'\.\/gradients\/([^']+)'/g, '"./$1.js"')
  .replace(/import \{registerGradient\} from '\.\/kernel_registry';\n/, "")
  .replace(
    /import \{GradConfig\} from '\.\/kernel_registry';/,
    'import type { GradConfig } from "@tensorflow/tfjs-core";',
  )
  .replace(
    /const gradConfigs: GradConfig\[\] = \[/,
    "/** Every gradient config of tfjs-core (a few appear twice upstream). */\nexport const gradConfigs: GradConfig[] = [",
  )
  .replace(
    /\nfor \(const gradientConfig of gradConfigs\) \{\n\s*registerGradient\(gradientConfig\);\n\}\n?/,
    "\n",
  );
if (!all.includes("export const gradConfigs") || all.includes("registerGradient(")) {
  throw new Error("register_all_gradients.ts changed upstream; update this script");
}
generated.set("gradients/register_all.ts", all);
// chained-ops.ts: tfjs-core's `Tensor.prototype.square = ...` patches (public/chained_ops/*), which the
// Node bundle lacks although tfjs-core's types declare them (`x.square()` type-checks, then throws).
{
  const chainedDir = path.join(dist, "public", "chained_ops");
  const files = fs
    .readdirSync(chainedDir)
    .filter((f) => f.endsWith(".js") && !f.endsWith("_test.js") && f !== "register_all_chained_ops.js")
    .sort();
  const ops = new Set();
  const imageOps = new Set();
  const bodies = [];
  for (const f of files) {
    const js = fs.readFileSync(path.join(chainedDir, f), "utf8").replace(/\/\/# sourceMappingURL=.*\n?/, "");
    let body = js.replace(/^\/\*\*[\s\S]*?\*\/\n/, "");
    body = body.replace(/import\s+\{([^}]*)\}\s+from\s+'([^']+)';\n?/g, (_a, names, spec) => {
      for (const n of names
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)) {
        if (spec === "../../tensor" && n === "getGlobalTensorClass") continue;
        if (spec === "../../util" && n === "assert") continue;
        if (spec.startsWith("../../ops/image/")) {
          imageOps.add(n);
          continue;
        }
        if (!publicNames.has(n)) throw new Error(`chained op ${f}: ${n} from ${spec} is not public`);
        ops.add(n);
      }
      return "";
    });
    bodies.push(
      `// ${f}\n${body.replace(/\/\/ TODO update import path once op is modularized\.\n/, "").trim()}`,
    );
  }
  const header = originalSource(path.join(chainedDir, "register_all_chained_ops.js")).match(
    /^\/\*\*[\s\S]*?\*\/\n/,
  )[0];
  const text = `${header}${BANNER}import { ${[...new Set([...ops, "image", "Tensor", "util"])].sort().join(", ")} } from "@tensorflow/tfjs-core";

const getGlobalTensorClass = () => Tensor;
const { assert } = util;
const { ${[...imageOps].sort().join(", ")} } = image;

${bodies.join("\n\n")}
`;
  generated.set("chained-ops.ts", text);
}

/** Files under src/vendor/tfjs-core that this script owns (everything but the notices). */
function ownedOnDisk() {
  const found = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(vendorDir, rel), { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (r.endsWith(".ts")) found.push(r);
    }
  };
  if (fs.existsSync(vendorDir)) walk("");
  return found;
}

if (process.argv.includes("--check")) {
  const problems = [];
  for (const [rel, text] of generated) {
    const file = path.join(vendorDir, rel);
    if (!fs.existsSync(file)) problems.push(`missing: ${rel}`);
    else if (fs.readFileSync(file, "utf8") !== text)
      problems.push(`differs from tfjs-core ${coreVersion}: ${rel}`);
  }
  for (const rel of ownedOnDisk()) if (!generated.has(rel)) problems.push(`not generated: ${rel}`);
  if (problems.length > 0) {
    console.error(`src/vendor/tfjs-core is not what this script generates:\n${problems.join("\n")}`);
    process.exit(1);
  }
  console.log(`src/vendor/tfjs-core matches tfjs-core ${coreVersion} (${generated.size} files)`);
} else {
  fs.rmSync(out, { recursive: true, force: true });
  for (const [rel, text] of generated) {
    fs.mkdirSync(path.dirname(path.join(vendorDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(vendorDir, rel), text);
  }
  console.log(
    `vendored ${gradFiles.length} gradients, ${BACKPROP_OPS.length} backprop ops and the chained ops from tfjs-core ${coreVersion}`,
  );
}
