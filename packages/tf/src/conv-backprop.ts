import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  cast,
  conv2d,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  DepthwiseConv2dNativeBackpropInput,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  depthwiseConv2d,
  engine,
  getKernel,
  type KernelFunc,
  matMul,
  oneHot,
  pad,
  registerKernel,
  reshape,
  reverse,
  slice,
  stack,
  stridedSlice,
  sum,
  Tensor,
  type Tensor4D,
  type TensorInfo,
  tidy,
  transpose,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  unregisterKernel,
} from "@tensorflow/tfjs-core";
import {
  type DepthwiseGeometry,
  depthwiseFilterGradDirect,
  depthwiseInputGradDirect,
} from "./depthwise-direct.js";
import {
  depthwiseFilterGradWasm,
  depthwiseInputGradWasm,
  type WasmHeapBackend,
  wasmDepthwiseSupported,
  wasmRows,
} from "./depthwise-wasm.js";
import { TfError } from "./errors.js";
import { attrsAs } from "./internal/tfjs-internal.js";

/** The 4 pads of a convolution, in input pixels (top, bottom, left, right). */
interface Pads {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Geometry shared by the backprop kernels, from tfjs's own `computeConv2DInfo`. */
interface ConvGeometry {
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly outH: number;
  readonly outW: number;
  readonly pads: Pads;
}

function geometry(
  kernel: string,
  xShape: readonly [number, number, number, number],
  filterShape: readonly [number, number, number, number],
  attrs: {
    strides: [number, number] | number;
    pad: Conv2DBackpropFilterAttrs["pad"];
    dataFormat?: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
  },
  dilations: [number, number] | number,
  depthwise: boolean,
): ConvGeometry {
  if (attrs.dataFormat === "NCHW") {
    throw new TfError(
      "UNSUPPORTED",
      `${kernel} (wasm, @od/tf): dataFormat is "NCHW" but only "NHWC" is implemented; transpose to NHWC first`,
      { details: { kernel, dataFormat: attrs.dataFormat } },
    );
  }
  const info = backend_util.computeConv2DInfo(
    [...xShape],
    [...filterShape],
    attrs.strides,
    dilations,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
  return {
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    outH: info.outHeight,
    outW: info.outWidth,
    pads: {
      top: info.padInfo.top,
      bottom: info.padInfo.bottom,
      left: info.padInfo.left,
      right: info.padInfo.right,
    },
  };
}

/**
 * The `kh * kw` input patches a convolution reads: patch `k = i * kw + j` is `[B, outH, outW, C]`,
 * the input pixels that meet filter tap `(i, j)` for every output pixel (zero outside the image).
 */
function patches(x: Tensor4D, g: ConvGeometry): Tensor4D[] {
  const [b, h, w, c] = x.shape;
  // Rows/columns of the padded input that the last tap of the last output pixel reaches.
  const needH = (g.outH - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const needW = (g.outW - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const bottom = Math.max(0, needH - g.pads.top - h);
  const right = Math.max(0, needW - g.pads.left - w);
  const padded =
    g.pads.top + bottom + g.pads.left + right > 0
      ? pad(x, [
          [0, 0],
          [g.pads.top, bottom],
          [g.pads.left, right],
          [0, 0],
        ])
      : x;
  const out: Tensor4D[] = [];
  for (let i = 0; i < g.kh; i++) {
    for (let j = 0; j < g.kw; j++) {
      const r0 = i * g.dh;
      const c0 = j * g.dw;
      const s = stridedSlice(
        padded,
        [0, r0, c0, 0],
        [b, r0 + (g.outH - 1) * g.sh + 1, c0 + (g.outW - 1) * g.sw + 1, c],
        [1, g.sh, g.sw, 1],
      );
      out.push(reshape(s, [b, g.outH, g.outW, c])); // typing only: same shape
    }
  }
  return out;
}

/** Slices away negative pads, then zero-pads the positive ones (H and W of an NHWC tensor). */
function padOrCrop(t: Tensor4D, p: Pads): Tensor4D {
  const [b, h, w, c] = t.shape;
  const ct = Math.max(0, -p.top);
  const cb = Math.max(0, -p.bottom);
  const cl = Math.max(0, -p.left);
  const cr = Math.max(0, -p.right);
  let out = ct + cb + cl + cr > 0 ? slice(t, [0, ct, cl, 0], [b, h - ct - cb, w - cl - cr, c]) : t;
  const pt = Math.max(0, p.top);
  const pb = Math.max(0, p.bottom);
  const pl = Math.max(0, p.left);
  const pr = Math.max(0, p.right);
  if (pt + pb + pl + pr > 0) {
    out = pad(out, [
      [0, 0],
      [pt, pb],
      [pl, pr],
      [0, 0],
    ]);
  }
  return out;
}

/** Turns a kernel input into a tensor owned by the enclosing `tidy`. */
function asTensor(info: TensorInfo | undefined, kernel: string, name: string): Tensor {
  if (info === undefined) {
    throw new TfError("INVALID_ARGUMENT", `${kernel} (wasm, @od/tf): input ${name} is missing`, {
      details: { kernel, input: name },
    });
  }
  // The engine passes the op's tensors; a bare TensorInfo gets a wrapper that holds its own reference
  // (makeTensorFromTensorInfo alone does not, and disposing it would free the caller's data).
  if (info instanceof Tensor) return info;
  const e = engine();
  const t = e.makeTensorFromTensorInfo(info);
  e.backend.incRef(info.dataId);
  return t;
}

/** {@link asTensor} for NHWC inputs. */
function asTensor4D(info: TensorInfo | undefined, kernel: string, name: string): Tensor4D {
  const t = asTensor(info, kernel, name);
  const [b, h, w, c] = t.shape;
  if (t.rank !== 4 || b === undefined || h === undefined || w === undefined || c === undefined) {
    throw new TfError(
      "INVALID_ARGUMENT",
      `${kernel} (wasm, @od/tf): input ${name} must be rank 4 NHWC, got shape [${t.shape.join(", ")}]`,
      { details: { kernel, input: name, shape: t.shape } },
    );
  }
  return reshape(t, [b, h, w, c]);
}

/**
 * The input laid out for a filter-gradient convolution: `x` zero-padded (or cropped) so that a
 * stride-1 "valid" convolution dilated by the forward stride yields exactly `kh × kw` outputs.
 */
function padForFilterGrad(x: Tensor4D, g: ConvGeometry, h: number, w: number): Tensor4D {
  return padOrCrop(x, {
    top: g.pads.top,
    bottom: (g.outH - 1) * g.sh + g.kh - g.pads.top - h,
    left: g.pads.left,
    right: (g.outW - 1) * g.sw + g.kw - g.pads.left - w,
  });
}

/**
 * Conv2D filter gradient `dW[p, q, c, o] = Σ_{b,i,j} x[b, p + i·sh − top, q + j·sw − left, c] · dy[b, i, j, o]`,
 * computed as ONE stride-1 convolution of `x` laid out `[C, H, W, B]` with `dy` laid out
 * `[outH, outW, B, O]` as the filter, dilated by the forward stride (XNNPACK runs it on wasm; several
 * times faster than im2col + matMul there). Shapes: x `[B, H, W, C]`, dy `[B, outH, outW, O]`, result
 * `[kh, kw, C, O]`.
 */
export function conv2dBackpropFilterImpl(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: readonly [number, number, number, number],
  attrs: Omit<Conv2DBackpropFilterAttrs, "filterShape">,
): Tensor4D {
  return tidy(() => {
    const g = geometry(Conv2DBackpropFilter, x.shape, filterShape, attrs, 1, false);
    const [b, h, w, c] = x.shape;
    const p = g.pads;
    if (g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && p.top + p.bottom + p.left + p.right === 0) {
      // Pointwise: dW = xᵀ · dy over all B·H·W pixels, one matrix product.
      const o = dy.shape[3];
      return reshape(matMul(reshape(x, [b * h * w, c]), reshape(dy, [b * h * w, o]), true, false), [
        1,
        1,
        c,
        o,
      ]);
    }
    const xt = padForFilterGrad(transpose(x, [3, 1, 2, 0]), g, h, w); // [C, H', W', B]
    const f = transpose(dy, [1, 2, 0, 3]); // [outH, outW, B, O]
    const out = conv2d(xt, f, 1, "valid", "NHWC", [g.sh, g.sw]); // [C, kh, kw, O]
    return transpose(out, [1, 2, 0, 3]);
  });
}

/**
 * Depthwise filter gradient `dW[p, q, c, m] = Σ_{b,i,j} x[b, p·dh + i·sh − top, q·dw + j·sw − left, c] · dy[b, i, j, c·M + m]`.
 * Dilation 1 (what tfjs's gradients allow): ONE stride-1 depthwise convolution of `x` laid out
 * `[1, H, W, B·C]` with `dy` laid out `[outH, outW, B·C, M]` as the filter, dilated by the forward
 * stride, then summed over the batch. Other dilations: the `kh·kw` strided patches times `dy`, one
 * batched matMul over channels. Shapes: x `[B, H, W, C]`, dy `[B, outH, outW, C·M]`, result `[kh, kw, C, M]`.
 */
export function depthwiseConv2dBackpropFilterImpl(
  x: Tensor4D,
  dy: Tensor4D,
  filterShape: readonly [number, number, number, number],
  attrs: Omit<DepthwiseConv2dNativeBackpropFilterAttrs, "filterShape">,
): Tensor4D {
  return tidy(() => {
    const g = geometry(
      DepthwiseConv2dNativeBackpropFilter,
      x.shape,
      filterShape,
      attrs,
      attrs.dilations,
      true,
    );
    const [kh, kw, c, m] = filterShape;
    const [b, h, w] = x.shape;
    const [, oh, ow] = dy.shape;
    if (g.dh === 1 && g.dw === 1) {
      const xt = padForFilterGrad(reshape(transpose(x, [1, 2, 0, 3]), [1, h, w, b * c]), g, h, w); // [1, H', W', B·C]
      const f: Tensor4D = reshape(transpose(reshape(dy, [b, oh, ow, c, m]), [1, 2, 0, 3, 4]), [
        oh,
        ow,
        b * c,
        m,
      ]);
      const out = depthwiseConv2d(xt, f, 1, "valid", "NHWC", [g.sh, g.sw]); // [1, kh, kw, B·C·M]
      return reshape(sum(reshape(out, [kh, kw, b, c, m]), 2), [kh, kw, c, m]);
    }
    const n = b * oh * ow;
    const p = transpose(reshape(stack(patches(x, g)), [kh * kw, n, c]), [2, 1, 0]); // [C, N, K]
    const d = transpose(reshape(dy, [n, c, m]), [1, 0, 2]); // [C, N, M]
    const dw = matMul(p, d, true, false); // [C, K, M]
    return reshape(transpose(dw, [1, 0, 2]), [kh, kw, c, m]);
  });
}

/**
 * Depthwise input gradient as a stride-1 depthwise convolution of the zero-dilated `dy` with the
 * spatially flipped filter (a transposed depthwise convolution), summed over the channel multiplier.
 * Shapes: dy `[B, outH, outW, C·M]`, filter `[kh, kw, C, M]`, result `inputShape` `[B, H, W, C]`.
 */
export function depthwiseConv2dBackpropInputImpl(
  dy: Tensor4D,
  filter: Tensor4D,
  inputShape: readonly [number, number, number, number],
  attrs: Omit<DepthwiseConv2dNativeBackpropInputAttrs, "inputShape">,
): Tensor4D {
  return tidy(() => {
    const [kh, kw, c, m] = filter.shape;
    const g = geometry(
      DepthwiseConv2dNativeBackpropInput,
      inputShape,
      filter.shape,
      attrs,
      attrs.dilations,
      true,
    );
    const [b, h, w] = inputShape;
    const cm = c * m;
    // Insert (stride - 1) zeros between the rows and between the columns of dy.
    let d: Tensor4D = dy;
    if (g.sh > 1 || g.sw > 1) {
      const z = pad(reshape(dy, [b, g.outH, 1, g.outW, 1, cm]), [
        [0, 0],
        [0, 0],
        [0, g.sh - 1],
        [0, 0],
        [0, g.sw - 1],
        [0, 0],
      ]);
      const zz: Tensor4D = reshape(z, [b, g.outH * g.sh, g.outW * g.sw, cm]);
      d = slice(zz, [0, 0, 0, 0], [b, (g.outH - 1) * g.sh + 1, (g.outW - 1) * g.sw + 1, cm]);
    }
    const top = (kh - 1) * g.dh - g.pads.top;
    const left = (kw - 1) * g.dw - g.pads.left;
    const dp = padOrCrop(d, {
      top,
      bottom: h + (kh - 1) * g.dh - top - d.shape[1],
      left,
      right: w + (kw - 1) * g.dw - left - d.shape[2],
    });
    const flipped: Tensor4D = reshape(reverse(filter, [0, 1]), [kh, kw, cm, 1]);
    const dx = depthwiseConv2d(dp, flipped, 1, "valid", "NHWC", [g.dh, g.dw]); // [B, H, W, C·M]
    return m === 1 ? dx : reshape(sum(reshape(dx, [b, h, w, c, m]), 4), [b, h, w, c]);
  });
}

const conv2dBackpropFilterKernel: KernelFunc = ({ inputs, attrs }) => {
  const a = attrsAs<Conv2DBackpropFilterAttrs>(attrs);
  return tidy(() =>
    conv2dBackpropFilterImpl(
      asTensor4D(inputs.x, Conv2DBackpropFilter, "x"),
      asTensor4D(inputs.dy, Conv2DBackpropFilter, "dy"),
      a.filterShape,
      a,
    ),
  );
};

/** The wasm backend (tfjs-backend-wasm's `BackendWasm`, found by duck typing) when all `ts` are float32 NHWC. */
function heapBackend(backend: unknown, ...ts: (TensorInfo | undefined)[]): WasmHeapBackend | undefined {
  const b = backend as Partial<WasmHeapBackend> | undefined;
  if (typeof b?.makeOutput !== "function" || typeof b.typedArrayFromHeap !== "function") return undefined;
  for (const t of ts) if (t === undefined || t.dtype !== "float32" || t.shape.length !== 4) return undefined;
  return b as WasmHeapBackend;
}

function depthwiseGeometry(
  kernel: string,
  xShape: readonly [number, number, number, number],
  filterShape: readonly [number, number, number, number],
  attrs: Omit<DepthwiseConv2dNativeBackpropFilterAttrs, "filterShape">,
): DepthwiseGeometry {
  const g = geometry(kernel, xShape, filterShape, attrs, attrs.dilations, true);
  const [b, h, w, c] = xShape;
  return {
    b,
    h,
    w,
    c,
    m: filterShape[3],
    outH: g.outH,
    outW: g.outW,
    kh: g.kh,
    kw: g.kw,
    sh: g.sh,
    sw: g.sw,
    dh: g.dh,
    dw: g.dw,
    top: g.pads.top,
    left: g.pads.left,
  };
}

function shape4(s: readonly number[]): [number, number, number, number] {
  return [s[0] ?? 0, s[1] ?? 0, s[2] ?? 0, s[3] ?? 0];
}

const depthwiseBackpropFilterKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrsAs<DepthwiseConv2dNativeBackpropFilterAttrs>(attrs);
  const heap = heapBackend(backend, inputs.x, inputs.dy);
  if (heap !== undefined && inputs.x !== undefined && inputs.dy !== undefined) {
    const fs = shape4(a.filterShape);
    const g = depthwiseGeometry(DepthwiseConv2dNativeBackpropFilter, shape4(inputs.x.shape), fs, a);
    const out = heap.makeOutput([...fs], "float32"); // allocate first: growing the heap moves the views
    const rows = wasmDepthwiseSupported(g) ? wasmRows(heap) : undefined;
    if (rows !== undefined) {
      depthwiseFilterGradWasm(heap, rows, inputs.x, inputs.dy, g, out);
      return out;
    }
    depthwiseFilterGradDirect(
      heap.typedArrayFromHeap(inputs.x) as Float32Array,
      heap.typedArrayFromHeap(inputs.dy) as Float32Array,
      g,
      heap.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  }
  return tidy(() =>
    depthwiseConv2dBackpropFilterImpl(
      asTensor4D(inputs.x, DepthwiseConv2dNativeBackpropFilter, "x"),
      asTensor4D(inputs.dy, DepthwiseConv2dNativeBackpropFilter, "dy"),
      a.filterShape,
      a,
    ),
  );
};

/**
 * The input gradient of a stride-1, dilation-1, symmetric "same" depthwise convolution (odd kernel,
 * channel multiplier 1) is the forward convolution of dy with the filter turned by 180°; on wasm that is
 * XNNPACK's depthwise kernel, 2–3× faster than the scatter loop. `undefined` when the geometry differs.
 */
function depthwiseInputGradAsForward(
  heap: WasmHeapBackend,
  backend: unknown,
  dy: TensorInfo,
  filter: TensorInfo,
  g: DepthwiseGeometry,
): TensorInfo | undefined {
  const same =
    g.m === 1 &&
    g.sh === 1 &&
    g.sw === 1 &&
    g.dh === 1 &&
    g.dw === 1 &&
    g.kh % 2 === 1 &&
    g.kw % 2 === 1 &&
    g.top === (g.kh - 1) / 2 &&
    g.left === (g.kw - 1) / 2 &&
    g.outH === g.h &&
    g.outW === g.w;
  const forward = getKernel(DepthwiseConv2dNative, "wasm");
  if (!same || forward === undefined) return undefined;
  const { kh, kw, c } = g;
  const turned = heap.makeOutput([kh, kw, c, 1], "float32");
  const src = heap.typedArrayFromHeap(filter) as Float32Array;
  const dst = heap.typedArrayFromHeap(turned) as Float32Array;
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      dst.set(src.subarray((p * kw + q) * c, (p * kw + q + 1) * c), ((kh - 1 - p) * kw + (kw - 1 - q)) * c);
    }
  }
  try {
    return forward.kernelFunc({
      inputs: { x: dy, filter: turned },
      backend: backend as never,
      attrs: { strides: [1, 1], pad: "same", dilations: [1, 1], dataFormat: "NHWC" },
    }) as TensorInfo;
  } finally {
    (backend as { disposeData(id: object): void }).disposeData(turned.dataId);
  }
}

const depthwiseBackpropInputKernel: KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrsAs<DepthwiseConv2dNativeBackpropInputAttrs>(attrs);
  const s = a.inputShape;
  const heap = heapBackend(backend, inputs.dy, inputs.filter);
  if (heap !== undefined && inputs.dy !== undefined && inputs.filter !== undefined) {
    const xs = shape4(s);
    const g = depthwiseGeometry(DepthwiseConv2dNativeBackpropInput, xs, shape4(inputs.filter.shape), a);
    const viaForward = depthwiseInputGradAsForward(heap, backend, inputs.dy, inputs.filter, g);
    if (viaForward !== undefined) return viaForward;
    const out = heap.makeOutput([...xs], "float32");
    const rows = wasmDepthwiseSupported(g) ? wasmRows(heap) : undefined;
    if (rows !== undefined) {
      depthwiseInputGradWasm(heap, rows, inputs.dy, inputs.filter, g, out);
      return out;
    }
    depthwiseInputGradDirect(
      heap.typedArrayFromHeap(inputs.dy) as Float32Array,
      heap.typedArrayFromHeap(inputs.filter) as Float32Array,
      g,
      heap.typedArrayFromHeap(out) as Float32Array,
    );
    return out;
  }
  return tidy(() =>
    depthwiseConv2dBackpropInputImpl(
      asTensor4D(inputs.dy, DepthwiseConv2dNativeBackpropInput, "dy"),
      asTensor4D(inputs.filter, DepthwiseConv2dNativeBackpropInput, "filter"),
      [s[0], s[1], s[2], s[3]],
      a,
    ),
  );
};

/**
 * `out[s] = Σ_{i : ids[i] = s} x[i]` as `oneHot(ids, S)^T · x` (ids outside `[0, S)` are dropped, as
 * in TensorFlow). It is the gradient of `tf.gather`. Shapes: x `[N, ...]`, ids `[N]` int32, result
 * `[S, ...]`.
 */
export function unsortedSegmentSumImpl(x: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
  return tidy(() => {
    const n = segmentIds.size;
    const rest = x.shape.slice(segmentIds.rank);
    const d = rest.reduce((a, b) => a * b, 1);
    // int32 then cast: wasm's OneHot writes zeros when asked for float32 directly (tfjs 4.22).
    const hot = cast(oneHot(reshape(cast(segmentIds, "int32"), [n]), numSegments), "float32"); // [N, S]
    const out = matMul(hot, reshape(cast(x, "float32"), [n, d]), true, false); // [S, D]
    return cast(reshape(out, [numSegments, ...rest]), x.dtype);
  });
}

const unsortedSegmentSumKernel: KernelFunc = ({ inputs, attrs }) => {
  const a = attrsAs<UnsortedSegmentSumAttrs>(attrs);
  return tidy(() =>
    unsortedSegmentSumImpl(
      asTensor(inputs.x, UnsortedSegmentSum, "x"),
      asTensor(inputs.segmentIds, UnsortedSegmentSum, "segmentIds"),
      a.numSegments,
    ),
  );
};

/**
 * Kernels that the wasm backend of tfjs 4.22 lacks and that `@od/tf` registers for it, so that
 * `tf.conv2d` / `tf.depthwiseConv2d` (and the fused variants) and `tf.gather` train on wasm unchanged.
 */
export const WASM_BACKPROP_KERNELS: readonly string[] = [
  Conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  UnsortedSegmentSum,
];

/**
 * Registers the convolution backprop kernels (see {@link WASM_BACKPROP_KERNELS}) on `backendName`
 * (default `"wasm"`), written with forward ops every backend has (filter gradients as one dilated
 * convolution of the transposed input with `dy` as the filter; the depthwise input gradient as a
 * stride-1 depthwise convolution of the zero-dilated `dy` with the flipped filter; one-hot + matMul
 * for `UnsortedSegmentSum`, the gradient of `gather`). NHWC only; stride, dilation and `same` / `valid` / explicit padding as
 * tfjs's `computeConv2DInfo` defines them. A kernel the backend already has is left alone.
 *
 * Runs on `import "@od/tf"` for `"wasm"`. `override: true` replaces existing kernels (e.g. on `"cpu"`,
 * whose own conv backprop is several times slower: see bench/run.ts); it is process-wide.
 * @param backendName tfjs backend name, default `"wasm"`.
 * @param options `override`: replace kernels the backend already has (default false).
 * @returns the kernel names registered by this call.
 * @throws nothing itself; the kernels throw `TfError` `UNSUPPORTED` for `NCHW`.
 */
export function registerConvBackpropKernels(
  backendName = "wasm",
  options: { readonly override?: boolean } = {},
): string[] {
  const funcs: Record<string, KernelFunc> = {
    [Conv2DBackpropFilter]: conv2dBackpropFilterKernel,
    [DepthwiseConv2dNativeBackpropFilter]: depthwiseBackpropFilterKernel,
    [DepthwiseConv2dNativeBackpropInput]: depthwiseBackpropInputKernel,
    [UnsortedSegmentSum]: unsortedSegmentSumKernel,
  };
  const done: string[] = [];
  for (const [kernelName, kernelFunc] of Object.entries(funcs)) {
    if (getKernel(kernelName, backendName) !== undefined) {
      if (options.override !== true) continue;
      unregisterKernel(kernelName, backendName);
    }
    registerKernel({ kernelName, backendName, kernelFunc });
    done.push(kernelName);
  }
  return done;
}
