// The API reference: `npm run docs` builds it into docs/api/ (git-ignored). One page per entry point of
// every published package's `exports` map (TypeDoc reads the maps; `./internal/*` is closed, so never
// documented). Warnings fail the build: an export without a doc comment, a broken {@link}, a public
// signature that names a type its package does not export.
import { readdirSync, readFileSync } from "node:fs";

const published = readdirSync("packages", { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({
    dir: `packages/${d.name}`,
    manifest: JSON.parse(readFileSync(`packages/${d.name}/package.json`, "utf8")),
  }))
  .filter(({ manifest }) => manifest.private !== true && manifest.exports !== undefined);

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "od",
  entryPointStrategy: "packages",
  entryPoints: published.map(({ dir }) => dir),
  out: "docs/api",
  readme: "docs/index.md",
  plugin: ["./scripts/typedoc-entry-names.mjs"],
  excludeExternals: true,
  externalSymbolLinkMappings: { "@tensorflow/tfjs-core": { "*": "https://js.tensorflow.org/api/4.22.0/" } },
  // No source links: the repository has no fixed public URL, and a clone's remote (a local path in CI)
  // is not one TypeDoc can link to.
  // (packageOptions: set inside each package, which does not inherit the root's options).
  packageOptions: { disableSources: true },
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  packagesRequiringDocumentation: published.map(({ manifest }) => manifest.name),
  requiredToBeDocumented: [
    "Enum",
    "Variable",
    "Function",
    "Class",
    "Interface",
    "TypeAlias",
    "Namespace",
    "Method",
    "Accessor",
  ],
};
