;; SIMD inner loop of the uint8 bilinear resize (see ../resize-wasm.ts and the JS kernel
;; resizeBilinearU8 in ../resample.ts, which it reproduces bit for bit).
;; All pointers are byte offsets into the module's own memory, filled by the caller: source rows
;; (copied in), a row table, a column table, two masks, and the output block.
;; Rebuild: node ../../scripts/build-wasm.mjs in the package folder (wat2wasm from the `wabt` npm package), which rewrites
;; resize-bilinear-bytes.ts.
(module
  (memory (export "memory") 1)

  ;; One block of output pixels, c ≤ 4 channels; each pixel is computed in i32x4 lanes (channel k in
  ;; lane k), four pixels per step, then packed and stored together.
  ;;   rows:  nrows entries of 16 bytes: i32 r0, i32 r1 (addresses of the two source rows), i32 wy (0..2048)
  ;;   cols:  n entries of 32 bytes: i32 base (byte offset in a row of the tap pair's lower-address
  ;;          pixel) at +0; at +16 four copies of the packed weights (lo16: weight of the pixel at base,
  ;;          hi16: of the pixel at base + c)
  ;;   masks: +0: i8x16 swizzle spreading the 8 bytes at base into i16 lanes [lo pixel ch k, hi pixel ch k]
  ;;          for k < 4 (0x80: zero); +16: swizzle packing 4 pixels × 4 lanes (bytes 4q + k) into 4·c bytes
  ;;   dst:   nrows · n · c bytes, rows back to back; 12 bytes past the end are scratch
  ;; Per channel: A = lo·wlo + hi·whi from row r0 (B from r1), 11-bit weights summing to 2048, then
  ;;   out = ((A·(2048 − wy)) >> 4) + ((B·wy) >> 4) + 2^17) >> 18   (OpenCV's VResizeLinear rounding).
  ;; Reads 8 bytes at each tap pair: the caller leaves slack around the source rows (a zero-weight pixel
  ;; may lie just outside them).
  (func (export "bilinear")
    (param $rows i32) (param $nrows i32) (param $cols i32) (param $n i32) (param $masks i32)
    (param $dst i32) (param $c i32)
    (local $m v128) (local $pack v128) (local $wy0 v128) (local $wy1 v128) (local $round v128)
    (local $rend i32) (local $r0 i32) (local $r1 i32) (local $wy i32) (local $cp i32) (local $cend i32)
    (local $cend4 i32) (local $c4 i32) (local $base i32) (local $w v128)
    (local $p0 v128) (local $p1 v128) (local $p2 v128) (local $p3 v128)
    (local.set $m (v128.load (local.get $masks)))
    (local.set $pack (v128.load offset=16 (local.get $masks)))
    (local.set $round (i32x4.splat (i32.const 131072)))
    (local.set $c4 (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rend (i32.add (local.get $rows) (i32.shl (local.get $nrows) (i32.const 4))))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $rows) (local.get $rend)))
        (local.set $r0 (i32.load (local.get $rows)))
        (local.set $r1 (i32.load offset=4 (local.get $rows)))
        (local.set $wy (i32.load offset=8 (local.get $rows)))
        (local.set $wy1 (i32x4.splat (local.get $wy)))
        (local.set $wy0 (i32x4.splat (i32.sub (i32.const 2048) (local.get $wy))))
        (local.set $cp (local.get $cols))
        (local.set $cend (i32.add (local.get $cols) (i32.shl (local.get $n) (i32.const 5))))
        (local.set $cend4 (i32.add (local.get $cols) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 5))))
        ;; four pixels per step
        (block $qdone
          (loop $qloop
            (br_if $qdone (i32.ge_u (local.get $cp) (local.get $cend4)))
            (local.set $base (i32.load offset=0 (local.get $cp)))
            (local.set $w (v128.load offset=16 (local.get $cp)))
            (local.set $p0
              (i32x4.shr_s
                (i32x4.add
                  (i32x4.add
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy0)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r0) (local.get $base))) (local.get $m))))
                      (i32.const 4))
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy1)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r1) (local.get $base))) (local.get $m))))
                      (i32.const 4)))
                  (local.get $round))
                (i32.const 18)))
            (local.set $base (i32.load offset=32 (local.get $cp)))
            (local.set $w (v128.load offset=48 (local.get $cp)))
            (local.set $p1
              (i32x4.shr_s
                (i32x4.add
                  (i32x4.add
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy0)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r0) (local.get $base))) (local.get $m))))
                      (i32.const 4))
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy1)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r1) (local.get $base))) (local.get $m))))
                      (i32.const 4)))
                  (local.get $round))
                (i32.const 18)))
            (local.set $base (i32.load offset=64 (local.get $cp)))
            (local.set $w (v128.load offset=80 (local.get $cp)))
            (local.set $p2
              (i32x4.shr_s
                (i32x4.add
                  (i32x4.add
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy0)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r0) (local.get $base))) (local.get $m))))
                      (i32.const 4))
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy1)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r1) (local.get $base))) (local.get $m))))
                      (i32.const 4)))
                  (local.get $round))
                (i32.const 18)))
            (local.set $base (i32.load offset=96 (local.get $cp)))
            (local.set $w (v128.load offset=112 (local.get $cp)))
            (local.set $p3
              (i32x4.shr_s
                (i32x4.add
                  (i32x4.add
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy0)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r0) (local.get $base))) (local.get $m))))
                      (i32.const 4))
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy1)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r1) (local.get $base))) (local.get $m))))
                      (i32.const 4)))
                  (local.get $round))
                (i32.const 18)))
            (v128.store (local.get $dst)
              (i8x16.swizzle
                (i8x16.narrow_i16x8_u
                  (i16x8.narrow_i32x4_s (local.get $p0) (local.get $p1))
                  (i16x8.narrow_i32x4_s (local.get $p2) (local.get $p3)))
                (local.get $pack)))
            (local.set $dst (i32.add (local.get $dst) (local.get $c4)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 128)))
            (br $qloop)))
        ;; the last n mod 4 pixels, one per step (4 bytes stored, c kept)
        (block $cdone
          (loop $cloop
            (br_if $cdone (i32.ge_u (local.get $cp) (local.get $cend)))
            (local.set $base (i32.load offset=0 (local.get $cp)))
            (local.set $w (v128.load offset=16 (local.get $cp)))
            (local.set $p0
              (i32x4.shr_s
                (i32x4.add
                  (i32x4.add
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy0)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r0) (local.get $base))) (local.get $m))))
                      (i32.const 4))
                    (i32x4.shr_s
                      (i32x4.mul (local.get $wy1)
                        (i32x4.dot_i16x8_s (local.get $w)
                          (i8x16.swizzle (v128.load64_zero (i32.add (local.get $r1) (local.get $base))) (local.get $m))))
                      (i32.const 4)))
                  (local.get $round))
                (i32.const 18)))
            (local.set $p0 (i16x8.narrow_i32x4_s (local.get $p0) (local.get $p0)))
            (v128.store32_lane 0 (local.get $dst) (i8x16.narrow_i16x8_u (local.get $p0) (local.get $p0)))
            (local.set $dst (i32.add (local.get $dst) (local.get $c)))
            (local.set $cp (i32.add (local.get $cp) (i32.const 32)))
            (br $cloop)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 16)))
        (br $rloop))))
)
