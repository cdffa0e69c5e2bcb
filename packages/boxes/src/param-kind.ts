/**
 * How a model parameter's values are laid out (od keeps tfjs layouts), so an adapter can convert them
 * to another framework's layout. Shared by `@od/ssd` (which tags every parameter) and `@od/torch` (which
 * converts them to and from PyTorch):
 * - `"conv2d"`: tfjs `[kh, kw, in, out]` (HWIO) ↔ PyTorch `[out, in, kh, kw]` (OIHW);
 * - `"depthwise"`: tfjs `[kh, kw, C, m]` with channel multiplier m ↔ PyTorch `[C·m, 1, kh, kw]` (a
 *   grouped conv with groups = C; PyTorch output channel `c·m + j` is tfjs `[.., .., c, j]`);
 * - `"dense"`: tfjs `[in, out]` ↔ PyTorch `nn.Linear` `[out, in]`;
 * - `"vector"`: the same layout on both sides (biases, batch-norm scale/shift/running stats, scalars,
 *   any shape).
 */
export type ParamKind = "conv2d" | "depthwise" | "dense" | "vector";

/** Every {@link ParamKind}, in the order of its definition (frozen). */
export const PARAM_KINDS: readonly ParamKind[] = Object.freeze(["conv2d", "depthwise", "dense", "vector"]);
