;; SIMD inner loops of the depthwise convolution gradients (see ../depthwise-wasm.ts) and the
;; clipByValue / relu6 gradient (../clip-grad.ts), run on the
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
        (br $kloop))))

  ;; Gradient of clipByValue / relu6 over n4 blocks of 4 floats:
  ;;   out[k] = lo ≤ x[k] ≤ hi ? dy[k] : 0     (open = 0: clipByValue; where(mask, dy, 0))
  ;;   out[k] = dy[k] · (lo < x[k] ≤ hi)       (open = 1: relu6; dy · mask as float)
  (func (export "rangeGrad")
    (param $x i32) (param $dy i32) (param $out i32) (param $n4 i32) (param $lo f32) (param $hi f32)
    (param $open i32)
    (local $vlo v128) (local $vhi v128) (local $end i32)
    (local.set $vlo (f32x4.splat (local.get $lo)))
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n4) (i32.const 4))))
    (if (local.get $open)
      (then
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
            (v128.store (local.get $out)
              (f32x4.mul (v128.load (local.get $dy))
                (v128.and (v128.const f32x4 1 1 1 1)
                  (v128.and (f32x4.gt (v128.load (local.get $x)) (local.get $vlo))
                    (f32x4.le (v128.load (local.get $x)) (local.get $vhi))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $l))))
      (else
        (block $done
          (loop $l
            (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
            (v128.store (local.get $out)
              (v128.and (v128.load (local.get $dy))
                (v128.and (f32x4.ge (v128.load (local.get $x)) (local.get $vlo))
                  (f32x4.le (v128.load (local.get $x)) (local.get $vhi)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (br $l)))))))
