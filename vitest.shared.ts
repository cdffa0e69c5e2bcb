import { fileURLToPath } from "node:url";
import type { ViteUserConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * Shared vitest settings: `@od/<pkg>` resolves to `packages/<pkg>/src/index.ts` and
 * `@od/<pkg>/<sub>` to `packages/<pkg>/src/<sub>.ts`, so tests run against sources without a build
 * and coverage is attributed to `src/`.
 */
export const shared: ViteUserConfig = {
  resolve: {
    alias: [
      { find: /^@od\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@od\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/$2.ts` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
};
