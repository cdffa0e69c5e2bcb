/**
 * Bounds that `@od/data` enforces before it allocates or reads: what an image may claim, how much of
 * a file is read, and how far outside its image a box may reach before it is refused instead of clipped.
 * Every check in the loaders and decoders reads its bound from here.
 * @module
 */

/**
 * Largest image accepted, in pixels (width × height as the header states it): 2^26 = 67,108,864 px,
 * e.g. 8192 × 8192 (decoded RGB: 192 MiB). A larger header is refused before any pixel is decoded.
 */
export const MAX_IMAGE_PIXELS = 2 ** 26;

/**
 * Largest image file read, in bytes: 2^29 = 512 MiB (an uncompressed PNG at {@link MAX_IMAGE_PIXELS}
 * RGBA fits). Larger files are refused from their size alone, without reading them.
 */
export const MAX_IMAGE_FILE_BYTES = 2 ** 29;

/**
 * Most bytes read to find an image's size marker (JPEG SOF, PNG IHDR): 2^24 = 16 MiB. Reading starts
 * with the first 64 KiB and grows only while the file starts with JPEG or PNG magic bytes.
 */
export const MAX_IMAGE_HEADER_BYTES = 2 ** 24;

/**
 * How far outside its image a box corner may lie, in image sizes, and still be clipped: a box that
 * overlaps the image with a corner at `x < −MAX_BOX_OVERHANG · W` or `x > (1 + MAX_BOX_OVERHANG) · W`
 * (likewise y with H) is `far-outside-image`, dropped under every policy, since clipping it (a `1e30`
 * typed for `640`) would turn a typo into a box covering the image.
 */
export const MAX_BOX_OVERHANG = 1;

/**
 * Largest annotation file read (VOC XML, COCO JSON, YOLO labels, names files, split lists), in bytes:
 * 500 MiB (COCO 2017's `instances_train2017.json` is 448 MB). Larger files are refused from their size.
 */
export const MAX_ANNOTATION_FILE_BYTES = 500 * 2 ** 20;
