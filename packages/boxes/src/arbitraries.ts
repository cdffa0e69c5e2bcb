/**
 * fast-check arbitraries for boxes of every format and unit, valid and nasty.
 * @packageDocumentation
 */
export {};
