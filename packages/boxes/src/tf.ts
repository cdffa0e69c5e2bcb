/**
 * Tensor (tfjs) versions of the box operations, for use inside models and losses.
 * @packageDocumentation
 */
export {};
