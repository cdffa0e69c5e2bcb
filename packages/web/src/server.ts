/**
 * A small static server for the page: `/` (the page), `/app.js` and `/worker.js` (the bundles),
 * `/tfjs/<name>` (tfjs-backend-wasm's binaries, from `wasmFiles()` of `@od/tf/node`) and `/demo/...`
 * (the BCCD slice shipped with `@od/cli`). It sets COOP `same-origin` and COEP `require-corp`, so the
 * page is cross-origin isolated and the wasm backend runs its threaded build; `isolated: false` leaves
 * them out (single-threaded wasm). Run directly (`npm run web`), it listens on 127.0.0.1 and prints
 * the URL.
 * @module
 */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { wasmFiles } from "@od/tf/node";
import { BUNDLE_DIR } from "./bundle.js";

/** The page's HTML. */
const PAGE = fileURLToPath(new URL("./page/index.html", import.meta.url));
/** The BCCD demo slice (`packages/cli/demo-data/bccd`). */
export const DEMO_DIR = fileURLToPath(new URL("../../cli/demo-data/bccd/", import.meta.url));

/** Content types by file extension. */
const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

/** The headers that make a page cross-origin isolated (and let its own files load under COEP). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface (default `127.0.0.1`). */
  readonly host?: string;
  /** Port (default 8080; 0 picks a free one). */
  readonly port?: number;
  /** Send {@link ISOLATION_HEADERS} (default true). */
  readonly isolated?: boolean;
  /** Folder of `app.js` / `worker.js` (default `dist-web/`). */
  readonly bundleDir?: string;
}

/**
 * The file a URL path maps to, or `undefined` (404). Paths under `/demo/` and the bundle folder are
 * resolved inside their folder; a `..` segment (encoded or not) is refused.
 */
export function fileFor(urlPath: string, bundleDir: string = BUNDLE_DIR): string | undefined {
  let p: string;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (p.includes("\0")) return undefined;
  if (p === "/" || p === "/index.html") return PAGE;
  if (p.startsWith("/tfjs/")) return wasmFiles().find((f) => `/tfjs/${f.name}` === p)?.path;
  const inside = (dir: string, rest: string): string | undefined => {
    if (rest.split(/[/\\]/).some((seg) => seg === "..")) return undefined;
    const file = path.resolve(dir, rest);
    return file.startsWith(path.resolve(dir) + path.sep) ? file : undefined;
  };
  if (p.startsWith("/demo/")) return inside(DEMO_DIR, p.slice("/demo/".length));
  if (/^\/(app|worker)\.js(\.map)?$/.test(p)) return inside(bundleDir, p.slice(1));
  return undefined;
}

/** Starts the server; resolves once it listens, with its URL and a `close`. */
export async function startServer(
  options: ServerOptions = {},
): Promise<{ readonly url: string; readonly server: Server; close(): Promise<void> }> {
  const host = options.host ?? "127.0.0.1";
  const headers = options.isolated === false ? {} : ISOLATION_HEADERS;
  const server = createServer(async (req, res) => {
    const urlPath = new URL(req.url ?? "/", "http://localhost").pathname;
    const file =
      req.method === "GET" || req.method === "HEAD" ? fileFor(urlPath, options.bundleDir) : undefined;
    let body: Buffer | undefined;
    if (file !== undefined) body = await readFile(file).catch(() => undefined);
    if (body === undefined) {
      res.writeHead(404, { ...headers, "Content-Type": "text/plain; charset=utf-8" });
      res.end(`not found: ${urlPath}\n`);
      return;
    }
    res.writeHead(200, {
      ...headers,
      "Content-Type": TYPES[path.extname(file ?? "").toLowerCase()] ?? "application/octet-stream",
      "Content-Length": body.length,
      "Cache-Control": "no-store",
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    url: `http://${host}:${port}/`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
  const { url } = await startServer({ port, isolated: process.env.OD_WEB_ISOLATED !== "0" });
  console.log(`od web: open ${url} (Ctrl-C stops the server)`);
}
