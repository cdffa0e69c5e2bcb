/**
 * Bundles a module for the browser with esbuild (as a web app's bundler would) and lists every import
 * of a Node built-in it reaches. `@od/<pkg>` and `@od/<pkg>/<sub>` resolve to the packages' sources
 * (`packages/<pkg>/src/index.ts`, `src/<sub>.ts`), as in the tests, so no build is needed.
 */
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

/** The repository's `packages/` folder. */
export const packagesDir = fileURLToPath(new URL("../../..", import.meta.url));

const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")));

/** Whether `specifier` names a Node built-in (`node:fs`, `fs`, `fs/promises`, `worker_threads`, ...). */
export function isNodeBuiltin(specifier: string): boolean {
  if (specifier.startsWith("node:")) return true;
  return builtins.has(specifier) || builtins.has(specifier.split("/")[0] ?? "");
}

/** One import of a Node built-in in a browser bundle: the importing file (relative to the repository) and what it imports. */
export interface BuiltinImport {
  readonly importer: string;
  readonly specifier: string;
  /** esbuild's resolution: `external`, or `disabled` when a package's `browser` field maps it to an empty module. */
  readonly how: "external" | "disabled" | "bundled";
}

/** What {@link bundleForBrowser} found. */
export interface BrowserBundle {
  readonly errors: readonly string[];
  readonly builtinImports: readonly BuiltinImport[];
  /** Every input file of the bundle, relative to the repository root. */
  readonly inputs: readonly string[];
  readonly bytes: number;
}

const odSources: esbuild.Plugin = {
  name: "od-sources",
  setup(build) {
    build.onResolve({ filter: /^@od\/[a-z0-9-]+(\/[a-z0-9-]+)?$/ }, (args) => {
      const [, pkg, sub] = /^@od\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/.exec(args.path) ?? [];
      return { path: path.join(packagesDir, pkg ?? "", "src", `${sub ?? "index"}.ts`) };
    });
  },
};

/**
 * Bundles `source` (module text, resolved from `packages/integration`) with `--bundle
 * --platform=browser --format=esm`; `node:` imports are left external (`--external:node:*`) so that
 * each one shows up in the result instead of stopping the build. A bare built-in (`fs`) that no
 * package's `browser` field replaces does not resolve for the browser and is a build error.
 */
export async function bundleForBrowser(source: string): Promise<BrowserBundle> {
  const root = path.dirname(packagesDir);
  let result: esbuild.BuildResult<{ metafile: true; write: false }>;
  try {
    result = await esbuild.build({
      stdin: { contents: source, resolveDir: path.join(packagesDir, "integration"), loader: "ts" },
      bundle: true,
      platform: "browser",
      format: "esm",
      write: false,
      metafile: true,
      logLevel: "silent",
      outfile: "bundle.js",
      absWorkingDir: root,
      external: ["node:*"],
      plugins: [odSources],
    });
  } catch (e) {
    const errors = (e as { errors?: esbuild.Message[] }).errors ?? [];
    return {
      errors: errors.map((m) => `${m.location?.file ?? ""}: ${m.text}`),
      builtinImports: [],
      inputs: [],
      bytes: 0,
    };
  }
  const builtinImports: BuiltinImport[] = [];
  for (const [importer, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      const disabled = imp.path.startsWith("(disabled):");
      const specifier = disabled ? imp.path.slice("(disabled):".length) : imp.path;
      if (!isNodeBuiltin(specifier) && !(disabled && !specifier.startsWith("node_modules/"))) continue;
      builtinImports.push({
        importer,
        specifier,
        how: imp.external === true ? "external" : disabled ? "disabled" : "bundled",
      });
    }
  }
  return {
    errors: [],
    builtinImports,
    inputs: Object.keys(result.metafile.inputs),
    bytes: result.outputFiles[0]?.contents.length ?? 0,
  };
}
