/** Non-maximum suppression family. */
export {};
