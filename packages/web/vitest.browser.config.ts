import { defineProject } from "vitest/config";
import { shared } from "../../vitest.shared.js";

/** The browser suite (`npm run test:browser`): headless Chromium against the page's server. */
export default defineProject({
  ...shared,
  test: {
    ...shared.test,
    include: ["browser-test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
