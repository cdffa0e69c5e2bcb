/** @packageDocumentation MultiBox loss with hard negative mining, focal and IoU losses on tfjs */
export {};
