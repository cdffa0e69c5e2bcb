/** @packageDocumentation An SSD detector on tfjs with heads on backbone feature maps */
export {};
