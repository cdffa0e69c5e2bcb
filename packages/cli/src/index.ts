/** @packageDocumentation The od command-line tool */
export {};
