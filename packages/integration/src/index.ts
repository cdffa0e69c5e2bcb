/** @packageDocumentation Cross-package end-to-end tests */
export {};
