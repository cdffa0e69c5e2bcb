// Writes docs/guides/augmentations.md and its pictures (docs/guides/augmentations/*.png) from the
// entries of augmentation-gallery.ts. Run from the repository root with `npm run docs:gallery` (after
// `npm run build`).
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  GALLERY,
  GALLERY_DIR,
  GALLERY_PAGE,
  galleryMarkdown,
  gallerySamples,
  ORIGINAL_PICTURE,
  pictureFile,
  renderEntry,
  renderOriginal,
} from "./augmentation-gallery.js";

const root = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));
const pageDir = path.dirname(path.join(root, GALLERY_PAGE));
mkdirSync(path.join(root, GALLERY_DIR), { recursive: true });
const samples = await gallerySamples(root);
writeFileSync(path.join(pageDir, ORIGINAL_PICTURE), renderOriginal(samples));
for (const e of GALLERY) {
  const png = renderEntry(e, samples);
  writeFileSync(path.join(pageDir, pictureFile(e)), png);
  console.log(`${pictureFile(e)}: ${(png.length / 1024).toFixed(0)} KiB`);
}
writeFileSync(path.join(root, GALLERY_PAGE), galleryMarkdown());
console.log(`wrote ${GALLERY_PAGE} (${GALLERY.length} transforms)`);
