// The package graph of od as rules that `npm run deps` (dependency-cruiser) checks on every import
// and export of packages/*/{src,test,typetest,bench,examples}. docs/architecture.md draws the same
// graph and explains it.
//
// Imports of another package resolve through node_modules and its `exports` map (types first) to its
// built files (packages/<pkg>/dist/...), so run `npm run build` before `npm run deps`; `npm run
// test:all` does. Paths are relative to the folder depcruise runs in (the repository root, or a test's
// fixture tree).
const fs = require("node:fs");
const path = require("node:path");
const { builtinModules } = require("node:module");

/**
 * Who may import whom: for each workspace package (folder under packages/), the od packages its files
 * may import. Everything else is forbidden: upward imports, imports between siblings of one level,
 * and imports of a package that has no row here. Levels, bottom up:
 *   0  boxes, plot, random (plain TypeScript, no dependencies between them)
 *   1  tf, priors, image  (tf: the tfjs runtime; image: pixel types and resize kernels)
 *   2  augment, data, metrics, losses, ssd, torch (torch: PyTorch weights in and out, plain TypeScript
 *                                                 over typed arrays; the trainer loads initial weights with it)
 *   3  train, onnx (onnx: ONNX export and the ONNX Runtime path, an adapter of ssd)
 *   4  cli                (Node-only application)
 *   4  web                (private browser example: a page, its Web Worker and a Node static server)
 *   -  integration        (private, Node-only cross-package tests; may import anything)
 */
const ALLOWED = {
  boxes: [],
  plot: [],
  random: [],
  tf: ["boxes"],
  priors: ["boxes", "plot", "random"],
  image: ["boxes"],
  augment: ["boxes", "image", "random"],
  data: ["boxes", "image", "plot", "random"],
  metrics: ["boxes", "plot"],
  losses: ["boxes", "tf"],
  ssd: ["boxes", "image", "priors", "tf"],
  torch: ["boxes"],
  train: [
    "augment",
    "boxes",
    "data",
    "image",
    "losses",
    "metrics",
    "plot",
    "priors",
    "random",
    "ssd",
    "tf",
    "torch",
  ],
  onnx: ["boxes", "data", "image", "priors", "ssd", "tf", "torch"],
  cli: [
    "augment",
    "boxes",
    "data",
    "image",
    "losses",
    "metrics",
    "onnx",
    "plot",
    "priors",
    "random",
    "ssd",
    "tf",
    "train",
  ],
  web: [
    "augment",
    "boxes",
    "data",
    "image",
    "losses",
    "metrics",
    "plot",
    "priors",
    "random",
    "ssd",
    "tf",
    "train",
  ],
  integration: [
    "augment",
    "boxes",
    "cli",
    "data",
    "image",
    "losses",
    "metrics",
    "onnx",
    "plot",
    "priors",
    "random",
    "ssd",
    "tf",
    "torch",
    "train",
  ],
};

/** Packages whose source may use tensors; of them only `tf` (and `@od/boxes/tf`) imports tfjs itself. */
const TENSOR_PACKAGES = ["tf", "losses", "ssd", "train", "onnx", "web"];

/** Node-only packages: every file may use Node built-ins. */
const NODE_ONLY_PACKAGES = ["cli", "integration"];

/** The tfjs files of @od/boxes: its `./tf` entry and what sits under src/tf/. */
const BOXES_TF = "^packages/boxes/(src|dist)/tf(/|\\.(d\\.)?[jt]s$)";

/** Node's built-in modules, with and without `node:` (dependency-cruiser names them without it). */
const BUILTINS = `^(node:)?(${builtinModules
  .filter((m) => !m.startsWith("_"))
  .map((m) => m.replace(/[/]/g, "\\/"))
  .join("|")})$`;

/** A package's Node entry (`@od/<pkg>/node`), in its sources or built files. */
const NODE_ENTRY = "^packages/[^/]+/(src|dist)/node\\.(d\\.)?[jt]s$";

const names = (list) => list.join("|");

/**
 * The browser-clean entry files: every `exports` entry of every package except `./node` (and except
 * the Node-only packages), mapped from `./dist/<x>.js` to `src/<x>.ts`. Read from the package.json
 * files, so a new entry or package is covered without editing this file.
 */
function browserEntries() {
  const root = "packages";
  const files = [];
  if (!fs.existsSync(root)) return files;
  for (const pkg of fs.readdirSync(root)) {
    if (NODE_ONLY_PACKAGES.includes(pkg)) continue;
    const manifest = path.join(root, pkg, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const exportsMap = JSON.parse(fs.readFileSync(manifest, "utf8")).exports ?? {};
    for (const [key, target] of Object.entries(exportsMap)) {
      if (key === "./node" || key === "./package.json" || target === null) continue;
      const file = typeof target === "string" ? target : (target.default ?? target.import);
      const m = typeof file === "string" ? /^\.\/dist\/(.+)\.js$/.exec(file) : null;
      if (m) files.push(`packages/${pkg}/src/${m[1]}.ts`);
    }
  }
  return files;
}
const BROWSER_ENTRIES = browserEntries();
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    ...Object.entries(ALLOWED).map(([pkg, allowed]) => ({
      name: `graph-${pkg}`,
      comment: `@od/${pkg} may import ${allowed.length === 0 ? "no other od package" : allowed.map((p) => `@od/${p}`).join(", ")} (the table in .dependency-cruiser.cjs; docs/architecture.md)`,
      severity: "error",
      from: { path: `^packages/${pkg}/` },
      to: { path: "^packages/[^/]+/", pathNot: `^packages/(${names([pkg, ...allowed])})/` },
    })),
    {
      name: "graph-unlisted-package",
      comment: "every folder under packages/ needs a row in the ALLOWED table of .dependency-cruiser.cjs",
      severity: "error",
      from: { path: "^packages/[^/]+/", pathNot: `^packages/(${names(Object.keys(ALLOWED))})/` },
      to: {},
    },
    {
      name: "no-other-package-internal",
      comment: "nothing imports another package's src/internal (or internal.ts); use its public entry points",
      severity: "error",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/[^/]+/(src|dist)/internal(/|\\.(d\\.)?[jt]s$)", pathNot: "^packages/$1/" },
    },
    {
      name: "no-path-into-other-package",
      comment:
        "import another package by its name (through its exports map), never by a relative path into its files",
      severity: "error",
      from: { path: "^packages/([^/]+)/" },
      to: { path: "^packages/[^/]+/src/", pathNot: "^packages/$1/" },
    },
    {
      name: "no-cycle",
      comment: "no import cycles (inside a package; the graph table rules out cycles between packages)",
      severity: "error",
      from: { path: "^packages/" },
      to: { circular: true },
    },
    {
      name: "tfjs-only-through-od-tf",
      comment:
        "@tensorflow/* is imported only by @od/tf and @od/boxes/tf; the other tensor packages get tfjs and its registered gradients through @od/tf",
      severity: "error",
      from: { path: "^packages/[^/]+/src/", pathNot: `^packages/tf/src/|${BOXES_TF}` },
      to: { path: "(^|/)@tensorflow/" },
    },
    {
      name: "boxes-core-without-tfjs",
      comment: "@od/boxes outside its ./tf entry is plain TypeScript: it does not reach src/tf",
      severity: "error",
      from: { path: "^packages/boxes/src/", pathNot: BOXES_TF },
      to: { path: BOXES_TF },
    },
    {
      name: "tensors-only-where-needed",
      comment: `only ${TENSOR_PACKAGES.map((p) => `@od/${p}`).join(", ")} (and the Node-only packages) import @od/tf or @od/boxes/tf (inside @od/boxes, boxes-core-without-tfjs applies)`,
      severity: "error",
      from: {
        path: "^packages/[^/]+/src/",
        pathNot: `^packages/(${names(["boxes", ...TENSOR_PACKAGES, ...NODE_ONLY_PACKAGES])})/`,
      },
      to: { path: `^packages/tf/|${BOXES_TF}` },
    },
    {
      name: "node-builtins-only-behind-node-entries",
      comment:
        "a browser-clean entry (every exports entry but ./node) reaches no Node built-in and no package's /node entry; Node-only code sits in src/node.ts and files only it reaches",
      severity: "error",
      from: { path: BROWSER_ENTRIES.length === 0 ? "^$" : `^(${names(BROWSER_ENTRIES.map(escapeRe))})$` },
      to: { reachable: true, path: `${BUILTINS}|${NODE_ENTRY}` },
    },
    {
      name: "no-unresolvable",
      comment:
        "every import resolves (a package's internal/* is null in its exports map, so deep imports end here)",
      severity: "error",
      from: { path: "^packages/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^packages/[^/]+/dist/"] },
    exclude: { path: ["/test/fixtures/package-graph/", "^packages/[^/]+/coverage/"] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["types", "import", "node", "default"],
      mainFields: ["types", "module", "main"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
