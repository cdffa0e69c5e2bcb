/** Single-box helpers. */
export {};
