import { playwright } from "@vitest/browser-playwright";
import { defineProject } from "vitest/config";
import { shared } from "../../vitest.shared.js";

/** Where Debian's `chromium` is (`apt-get install -y chromium`); `CHROMIUM` overrides. No browser download. */
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/**
 * Unit tests of browser-only code (`browser-unit/`), run by vitest's browser mode in headless Chromium:
 * canvas / ImageData / ImageBitmap input and the worker protocol.
 */
export default defineProject({
  ...shared,
  // The worker's imports are scanned before the tests start, so Vite does not reload a running test
  // when the worker first asks for them.
  optimizeDeps: { entries: ["src/page/worker.ts", "browser-unit/**/*.test.ts"] },
  test: {
    ...shared.test,
    include: ["browser-unit/**/*.test.ts"],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: ["--no-sandbox"] } }),
      instances: [{ browser: "chromium" }],
    },
  },
});
