#!/usr/bin/env node
// The `odet` command. This launcher is committed (not built), so npm links the bin when it installs
// the workspace, before anything is compiled; it loads the compiled program from ../dist/bin.js and,
// when that is missing, says how to build it and exits 2.
import { existsSync } from "node:fs";

const entry = new URL("../dist/bin.js", import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  process.stderr.write('odet: not built yet; run "npm run build" first\n');
  process.exitCode = 2;
}
