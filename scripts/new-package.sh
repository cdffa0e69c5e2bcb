#!/usr/bin/env bash
# Usage: scripts/new-package.sh <name> "<description>" [dep ...]
# Creates packages/<name> with the layout every od package shares.
set -euo pipefail
name=$1; desc=$2; shift 2
dir=packages/$name
mkdir -p "$dir/src" "$dir/test" "$dir/bench"
deps=""; refs=""
for d in "$@"; do
  deps="$deps\"@od/$d\": \"0.0.0\","
  refs="$refs{ \"path\": \"../$d\" },"
done
deps=${deps%,}; refs=${refs%,}
cat > "$dir/package.json" <<JSON
{
  "name": "@od/$name",
  "version": "0.0.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20" },
  "exports": {
    ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
    "./internal/*": null,
    "./package.json": "./package.json"
  },
  "files": ["dist", "src", "README.md"],
  "scripts": {
    "build": "tsc -b",
    "typecheck": "tsc -p tsconfig.test.json",
    "test": "vitest run",
    "bench": "tsx bench/run.ts"
  },
  "dependencies": { $deps }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "references": [$refs]
}
JSON
cat > "$dir/tsconfig.test.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": ".", "noEmit": true, "composite": false, "declaration": false, "declarationMap": false },
  "include": ["src", "test", "typetest", "bench"]
}
JSON
cat > "$dir/vitest.config.ts" <<'TS'
import { defineProject } from "vitest/config";
import { shared } from "../../vitest.shared.js";

export default defineProject(shared);
TS
[ -f "$dir/src/index.ts" ] || printf '/** @packageDocumentation %s */\nexport {};\n' "$desc" > "$dir/src/index.ts"
cp LICENSE "$dir/LICENSE"   # every published tarball ships the license (checked by npm run consumer)
[ -f "$dir/README.md" ] || printf '# @od/%s\n\n%s\n' "$name" "$desc" > "$dir/README.md"
