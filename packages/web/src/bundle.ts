/**
 * Bundles the page (`src/page/main.ts` -> `app.js`) and its worker (`src/page/worker.ts` ->
 * `worker.js`) for the browser with esbuild. `@od/*` resolve to the packages' built `dist/` (run
 * `npm run build` at the root first).
 * @module
 */
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

/** The folder the bundles are written to (`packages/web/dist-web/`), served by `server.ts`. */
export const BUNDLE_DIR = fileURLToPath(new URL("../dist-web/", import.meta.url));

/** Bundles the page and the worker into `outDir`; resolves with each bundle's size in bytes. */
export async function bundlePage(outDir: string = BUNDLE_DIR): Promise<Record<string, number>> {
  const result = await esbuild.build({
    entryPoints: {
      app: fileURLToPath(new URL("./page/main.ts", import.meta.url)),
      worker: fileURLToPath(new URL("./page/worker.ts", import.meta.url)),
    },
    outdir: outDir,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    sourcemap: true,
    metafile: true,
    logLevel: "warning",
  });
  return Object.fromEntries(
    Object.entries(result.metafile.outputs)
      .filter(([f]) => f.endsWith(".js"))
      .map(([f, o]) => [f.slice(f.lastIndexOf("/") + 1), o.bytes]),
  );
}
