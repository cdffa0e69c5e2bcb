/** @packageDocumentation Seeded, composable image+box transforms: letterbox with exact inverse, flips, crops, occlusion, copy-paste */
export {};
