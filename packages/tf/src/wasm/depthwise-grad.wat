;; SIMD inner loops of the depthwise convolution gradients (see ../depthwise-wasm.ts), run on the
;; memory of tfjs-backend-wasm (imported), so tensors are read and written where they live.
;; All pointers are byte offsets; channels come in blocks of 4 (c4 = C / 4).
;; Rebuild: node scripts/build-wasm.mjs (wat2wasm from the `wabt` npm package), which rewrites
;; ../depthwise-wasm-bytes.ts.
(module
  (import "env" "memory" (memory 1))

  ;; Filter gradient, one filter tap (p, q) and one output row segment of n pixels:
  ;;   acc[k] += Σ_{j<n} x[x0 + j·xs + k] · dy[d0 + j·ds + k]   for k < 4·c4
  ;; x and dy are float32, acc float64 (the row sum is formed in float32, then added in float64).
  (func (export "filterRow")
    (param $x0 i32) (param $d0 i32) (param $acc i32) (param $n i32) (param $c4 i32)
    (param $xs i32) (param $ds i32)
    (local $kb i32) (local $j i32) (local $xp i32) (local $dp i32) (local $v v128) (local $ap i32)
    (local.set $kb (i32.const 0))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
        (local.set $v (v128.const i32x4 0 0 0 0))
        (local.set $xp (i32.add (local.get $x0) (i32.shl (local.get $kb) (i32.const 4))))
        (local.set $dp (i32.add (local.get $d0) (i32.shl (local.get $kb) (i32.const 4))))
        (local.set $j (local.get $n))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.eqz (local.get $j)))
            (local.set $v
              (f32x4.add (local.get $v)
                (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $dp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xs)))
            (local.set $dp (i32.add (local.get $dp) (local.get $ds)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $ap (i32.add (local.get $acc) (i32.shl (local.get $kb) (i32.const 5))))
        (v128.store (local.get $ap)
          (f64x2.add (v128.load (local.get $ap)) (f64x2.promote_low_f32x4 (local.get $v))))
        (v128.store offset=16 (local.get $ap)
          (f64x2.add (v128.load offset=16 (local.get $ap))
            (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
        (br $kloop))))

  ;; Input gradient, one filter tap and one output row segment of n pixels (a scatter):
  ;;   dx[x0 + j·xs + k] += f[f0 + k] · dy[d0 + j·ds + k]   for j < n, k < 4·c4   (all float32)
  (func (export "inputRow")
    (param $x0 i32) (param $d0 i32) (param $f0 i32) (param $n i32) (param $c4 i32)
    (param $xs i32) (param $ds i32)
    (local $kb i32) (local $j i32) (local $xp i32) (local $dp i32) (local $f v128)
    (local.set $kb (i32.const 0))
    (block $kdone
      (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
        (local.set $f (v128.load (i32.add (local.get $f0) (i32.shl (local.get $kb) (i32.const 4)))))
        (local.set $xp (i32.add (local.get $x0) (i32.shl (local.get $kb) (i32.const 4))))
        (local.set $dp (i32.add (local.get $d0) (i32.shl (local.get $kb) (i32.const 4))))
        (local.set $j (local.get $n))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.eqz (local.get $j)))
            (v128.store (local.get $xp)
              (f32x4.add (v128.load (local.get $xp))
                (f32x4.mul (local.get $f) (v128.load (local.get $dp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xs)))
            (local.set $dp (i32.add (local.get $dp) (local.get $ds)))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))
            (br $jloop)))
        (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
        (br $kloop)))))
