/** `npm run build -w @od/web`: bundles the page and its worker into `dist-web/`. */
import { BUNDLE_DIR, bundlePage } from "../src/bundle.js";

const sizes = await bundlePage();
for (const [file, bytes] of Object.entries(sizes))
  console.log(`${BUNDLE_DIR}${file}: ${(bytes / 1e6).toFixed(2)} MB`);
