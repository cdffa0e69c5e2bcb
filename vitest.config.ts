import { defineConfig } from "vitest/config";
import { shared } from "./vitest.shared.js";

export default defineConfig({
  ...shared,
  test: {
    ...shared.test,
    include: ["packages/*/test/**/*.test.ts"],
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      // Third-party code kept verbatim (packages/tf/src/vendor/README.md) is not od's to cover.
      exclude: ["**/vendor/**"],
      reporter: ["text-summary", "json-summary"],
    },
  },
});
