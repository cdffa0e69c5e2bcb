/**
 * Direct loops for the depthwise convolution gradients, over plain `Float32Array`s in NHWC layout.
 * The wasm backend's kernels run them on its heap (no copies): tfjs-backend-wasm 4.22 has no depthwise
 * backprop kernels, and expressing them with its forward ops is slow (the filter gradient as one
 * depthwise convolution with `dy` as a huge filter makes XNNPACK re-pack that filter on every call;
 * strided input gradients need a zero-dilated `dy`). The loops do exactly `kh·kw·|dy|` multiply-adds.
 */

/** Geometry of a depthwise convolution, as tfjs's `computeConv2DInfo` defines it. */
export interface DepthwiseGeometry {
  /** Input `[B, H, W, C]`. */
  readonly b: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Channel multiplier M (dy has `C·M` channels). */
  readonly m: number;
  /** Output height and width (dy is `[B, outH, outW, C·M]`). */
  readonly outH: number;
  readonly outW: number;
  /** Filter height and width. */
  readonly kh: number;
  readonly kw: number;
  /** Strides, dilations, top and left padding. */
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly left: number;
}

/** The output columns `j` whose input column `j·sw + q·dw − left` falls inside `[0, w)`. */
function colRange(g: DepthwiseGeometry, q: number): [number, number] {
  const off = q * g.dw - g.left; // input column of output column 0
  const j0 = off >= 0 ? 0 : Math.ceil(-off / g.sw);
  const j1 = Math.min(g.outW, Math.floor((g.w - 1 - off) / g.sw) + 1);
  return [j0, j1];
}

/**
 * Depthwise filter gradient `dW[p, q, c, m] = Σ_{b,i,j} x[b, i·sh + p·dh − top, j·sw + q·dw − left, c] · dy[b, i, j, c·M + m]`
 * (taps outside the input read zero). Accumulates in float64.
 * @param x input `[B, H, W, C]`.
 * @param dy output gradient `[B, outH, outW, C·M]`.
 * @param out receives `[kh, kw, C, M]` (overwritten).
 */
export function depthwiseFilterGradDirect(
  x: Float32Array,
  dy: Float32Array,
  g: DepthwiseGeometry,
  out: Float32Array,
): void {
  const { b: nb, h, w, c, m, outH, outW, kh, kw, sh, sw, dh, top } = g;
  const cm = c * m;
  const acc = new Float64Array(kh * kw * cm);
  const ranges = Array.from({ length: kw }, (_, q) => colRange(g, q));
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < outH; i++) {
      const dyRow = (b * outH + i) * outW * cm;
      for (let p = 0; p < kh; p++) {
        const row = i * sh + p * dh - top;
        if (row < 0 || row >= h) continue;
        const xRow = (b * h + row) * w * c;
        for (let q = 0; q < kw; q++) {
          const [j0, j1] = ranges[q] as [number, number];
          const a0 = (p * kw + q) * cm;
          const col0 = q * g.dw - g.left;
          if (m === 1) {
            for (let j = j0; j < j1; j++) {
              const xo = xRow + (j * sw + col0) * c;
              const d0 = dyRow + j * c;
              for (let k = 0; k < c; k++) acc[a0 + k]! += x[xo + k]! * dy[d0 + k]!;
            }
          } else {
            for (let j = j0; j < j1; j++) {
              const xo = xRow + (j * sw + col0) * c;
              const d0 = dyRow + j * cm;
              for (let k = 0; k < c; k++) {
                const xv = x[xo + k]!;
                const base = k * m;
                for (let r = 0; r < m; r++) {
                  const ai = a0 + base + r;
                  acc[ai]! += xv * dy[d0 + base + r]!;
                }
              }
            }
          }
        }
      }
    }
  }
  for (let k = 0; k < acc.length; k++) out[k] = acc[k]!;
}

/**
 * Depthwise input gradient `dx[b, y, x, c] = Σ_{p,q,m,i,j : y = i·sh + p·dh − top, x = j·sw + q·dw − left} filter[p, q, c, m] · dy[b, i, j, c·M + m]`
 * (a transposed depthwise convolution), scattered from each `dy` pixel.
 * @param dy output gradient `[B, outH, outW, C·M]`.
 * @param filter `[kh, kw, C, M]`.
 * @param out receives `[B, H, W, C]` (overwritten).
 */
export function depthwiseInputGradDirect(
  dy: Float32Array,
  filter: Float32Array,
  g: DepthwiseGeometry,
  out: Float32Array,
): void {
  const { b: nb, h, w, c, m, outH, outW, kh, kw, sh, sw, dh, top } = g;
  const cm = c * m;
  out.fill(0, 0, nb * h * w * c);
  const ranges = Array.from({ length: kw }, (_, q) => colRange(g, q));
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < outH; i++) {
      const dyRow = (b * outH + i) * outW * cm;
      for (let p = 0; p < kh; p++) {
        const row = i * sh + p * dh - top;
        if (row < 0 || row >= h) continue;
        const xRow = (b * h + row) * w * c;
        for (let q = 0; q < kw; q++) {
          const [j0, j1] = ranges[q] as [number, number];
          const f0 = (p * kw + q) * cm;
          const col0 = q * g.dw - g.left;
          if (m === 1) {
            for (let j = j0; j < j1; j++) {
              const xo = xRow + (j * sw + col0) * c;
              const d0 = dyRow + j * c;
              for (let k = 0; k < c; k++) out[xo + k]! += filter[f0 + k]! * dy[d0 + k]!;
            }
          } else {
            for (let j = j0; j < j1; j++) {
              const xo = xRow + (j * sw + col0) * c;
              const d0 = dyRow + j * cm;
              for (let k = 0; k < c; k++) {
                const base = k * m;
                let s = out[xo + k]!;
                for (let r = 0; r < m; r++) s += filter[f0 + base + r]! * dy[d0 + base + r]!;
                out[xo + k] = s;
              }
            }
          }
        }
      }
    }
  }
}
