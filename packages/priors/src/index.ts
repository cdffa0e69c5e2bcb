/** @packageDocumentation SSD prior boxes, matching, target encoding, coverage analysis and prior fitting */
export {};
