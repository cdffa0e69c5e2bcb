/**
 * Side-effect entry, imported by `@od/tf`'s main entry: registers tfjs-core's gradient functions, its
 * chained tensor methods (`x.square()`), the wasm convolution backprop kernels, one-pass clipByValue / relu6 gradients, the fused batch-norm kernels, the one-pass hardswish, and the cpu backend
 * (always available as the fallback). `import "@od/tf"` (or `"@od/tf/register"`) once is enough.
 * @packageDocumentation
 */
import "@tensorflow/tfjs-backend-cpu";
import "./vendor/tfjs-core/chained-ops.js";
import { registerBatchNormKernels } from "./batch-norm.js";
import { registerRangeMaskGradients } from "./clip-grad.js";
import { registerConvBackpropKernels } from "./conv-backprop.js";
import { registerGradients } from "./gradients.js";
import { registerHardSwishKernel } from "./hard-swish.js";

registerGradients();
registerRangeMaskGradients();
registerBatchNormKernels("wasm");
registerConvBackpropKernels("wasm");
registerHardSwishKernel();
