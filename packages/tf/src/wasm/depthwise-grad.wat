;; SIMD inner loops of the depthwise convolution gradients (see ../depthwise-wasm.ts), the
;; clipByValue / relu6 gradient (../clip-grad.ts) and the fused batch norm (../batch-norm.ts), run on the
;; memory of tfjs-backend-wasm (imported), so tensors are read and written where they live.
;; All pointers are byte offsets; channels come in blocks of 4 (c4 = C / 4).
;; Rebuild: node ../../scripts/build-wasm.mjs in the package folder (wat2wasm from the `wabt` npm package), which rewrites
;; depthwise-grad-bytes.ts.
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
            (br $l))))))
;; Hardswish forward (../activations.ts), n4 blocks of 4 float32:
  ;;   out = x · (min(max(x + 3, 0), 6) · f32(1/6))
  ;; in the order and float32 roundings of the composite add → clipByValue → mul → mul.
  (func (export "hardSwish") (param $x i32) (param $out i32) (param $n4 i32)
    (local $v v128) (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n4) (i32.const 4))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (v128.store (local.get $out)
          (f32x4.mul (local.get $v)
            (f32x4.mul
              (f32x4.min
                (f32x4.max (f32x4.add (local.get $v) (v128.const f32x4 3 3 3 3)) (v128.const f32x4 0 0 0 0))
                (v128.const f32x4 6 6 6 6))
              (v128.const f32x4 0x1.555556p-3 0x1.555556p-3 0x1.555556p-3 0x1.555556p-3))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $l))))
  ;; ---- Batch norm (../batch-norm.ts) over n rows of C = 4·c4 float32 channels (NHWC) ----
  ;; Column sums run over chunks of 32 rows in f32x4 registers (the chunk stays in L1), each chunk's
  ;; sums are then added to float64 accumulators.

  ;; Adds the f32x4 $v to the 2 × f64x2 accumulators at $p (4 doubles).
  (func $addF64 (param $p i32) (param $v v128)
    (v128.store (local.get $p)
      (f64x2.add (v128.load (local.get $p)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $p)
      (f64x2.add (v128.load offset=16 (local.get $p))
        (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  ;; Statistics: buf = [s1: C f64][s2: C f64][k: C f32];  s1 += Σ (x − k), s2 += Σ (x − k)².
  (func (export "bnStats") (param $x i32) (param $n i32) (param $c4 i32) (param $buf i32)
    (local $rs i32) (local $r0 i32) (local $m i32) (local $kb i32) (local $j i32) (local $p i32)
    (local $k v128) (local $d v128) (local $s1 v128) (local $s2 v128) (local $cs i32)
    (local.set $rs (i32.shl (local.get $c4) (i32.const 4)))
    (local.set $cs (i32.shl (local.get $c4) (i32.const 5))) ;; bytes of C doubles
    (local.set $r0 (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r0) (local.get $n)))
        (local.set $m (i32.sub (local.get $n) (local.get $r0)))
        (if (i32.gt_u (local.get $m) (i32.const 32)) (then (local.set $m (i32.const 32))))
        (local.set $kb (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
            (local.set $k (v128.load (i32.add (i32.add (local.get $buf) (i32.shl (local.get $cs) (i32.const 1)))
              (i32.shl (local.get $kb) (i32.const 4)))))
            (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $p (i32.add (local.get $x)
              (i32.add (i32.mul (local.get $r0) (local.get $rs)) (i32.shl (local.get $kb) (i32.const 4)))))
            (local.set $j (local.get $m))
            (block $jdone
              (loop $jloop
                (br_if $jdone (i32.eqz (local.get $j)))
                (local.set $d (f32x4.sub (v128.load (local.get $p)) (local.get $k)))
                (local.set $s1 (f32x4.add (local.get $s1) (local.get $d)))
                (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $d) (local.get $d))))
                (local.set $p (i32.add (local.get $p) (local.get $rs)))
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                (br $jloop)))
            (call $addF64 (i32.add (local.get $buf) (i32.shl (local.get $kb) (i32.const 5))) (local.get $s1))
            (call $addF64 (i32.add (i32.add (local.get $buf) (local.get $cs)) (i32.shl (local.get $kb) (i32.const 5)))
              (local.get $s2))
            (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
            (br $kloop)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $m)))
        (br $rloop))))

  ;; The relu6 mask of z = x·sc + sh is (lo < z) & (z ≤ hi) | all, with lo = 0, hi = 6, all = 0 when $act
  ;; and lo = −∞, hi = +∞, all = ~0 (every lane kept, also for NaN) otherwise: no branch in the loops.
  ;; y = act(x·sc + sh), act = clip to [0, 6] when $act.
  (func (export "bnAffine") (param $x i32) (param $y i32) (param $n i32) (param $c4 i32) (param $sc i32)
    (param $sh i32) (param $act i32)
    (local $end i32) (local $kb i32) (local $z v128) (local $lo v128) (local $hi v128)
    (local.set $lo (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $hi (v128.const f32x4 inf inf inf inf))
    (if (local.get $act) (then
      (local.set $lo (v128.const f32x4 0 0 0 0))
      (local.set $hi (v128.const f32x4 6 6 6 6))))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $n) (i32.shl (local.get $c4) (i32.const 4)))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $kb (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
            (local.set $z (f32x4.add
              (f32x4.mul (v128.load (local.get $x)) (v128.load (i32.add (local.get $sc) (i32.shl (local.get $kb) (i32.const 4)))))
              (v128.load (i32.add (local.get $sh) (i32.shl (local.get $kb) (i32.const 4))))))
            (v128.store (local.get $y) (f32x4.min (f32x4.max (local.get $z) (local.get $lo)) (local.get $hi)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
            (br $kloop)))
        (br $row))))

  ;; Gradient sums: acc = [s1: C f64][s2: C f64];  dz = dy · mask(x·sc + sh);
  ;; s1 += Σ dz, s2 += Σ dz · (x − mu).
  (func (export "bnGradSums") (param $x i32) (param $dy i32) (param $n i32) (param $c4 i32) (param $sc i32)
    (param $sh i32) (param $mu i32) (param $acc i32) (param $act i32)
    (local $rs i32) (local $r0 i32) (local $m i32) (local $kb i32) (local $j i32) (local $off i32)
    (local $vs v128) (local $vh v128) (local $vm v128) (local $xv v128) (local $dz v128)
    (local $s1 v128) (local $s2 v128) (local $cs i32) (local $z v128)
    (local $lo v128) (local $hi v128) (local $all v128)
    (local.set $lo (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $hi (v128.const f32x4 inf inf inf inf))
    (local.set $all (v128.const i32x4 -1 -1 -1 -1))
    (if (local.get $act) (then
      (local.set $lo (v128.const f32x4 0 0 0 0))
      (local.set $hi (v128.const f32x4 6 6 6 6))
      (local.set $all (v128.const i32x4 0 0 0 0))))
    (local.set $rs (i32.shl (local.get $c4) (i32.const 4)))
    (local.set $cs (i32.shl (local.get $c4) (i32.const 5)))
    (local.set $r0 (i32.const 0))
    (block $rdone
      (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $r0) (local.get $n)))
        (local.set $m (i32.sub (local.get $n) (local.get $r0)))
        (if (i32.gt_u (local.get $m) (i32.const 32)) (then (local.set $m (i32.const 32))))
        (local.set $kb (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
            (local.set $vs (v128.load (i32.add (local.get $sc) (i32.shl (local.get $kb) (i32.const 4)))))
            (local.set $vh (v128.load (i32.add (local.get $sh) (i32.shl (local.get $kb) (i32.const 4)))))
            (local.set $vm (v128.load (i32.add (local.get $mu) (i32.shl (local.get $kb) (i32.const 4)))))
            (local.set $s1 (v128.const i32x4 0 0 0 0))
            (local.set $s2 (v128.const i32x4 0 0 0 0))
            (local.set $off (i32.add (i32.mul (local.get $r0) (local.get $rs)) (i32.shl (local.get $kb) (i32.const 4))))
            (local.set $j (local.get $m))
            (block $jdone
              (loop $jloop
                (br_if $jdone (i32.eqz (local.get $j)))
                (local.set $xv (v128.load (i32.add (local.get $x) (local.get $off))))
                (local.set $z (f32x4.add (f32x4.mul (local.get $xv) (local.get $vs)) (local.get $vh)))
                (local.set $dz (v128.and (v128.load (i32.add (local.get $dy) (local.get $off)))
                  (v128.or (local.get $all)
                    (v128.and (f32x4.gt (local.get $z) (local.get $lo)) (f32x4.le (local.get $z) (local.get $hi))))))
                (local.set $s1 (f32x4.add (local.get $s1) (local.get $dz)))
                (local.set $s2 (f32x4.add (local.get $s2)
                  (f32x4.mul (local.get $dz) (f32x4.sub (local.get $xv) (local.get $vm)))))
                (local.set $off (i32.add (local.get $off) (local.get $rs)))
                (local.set $j (i32.sub (local.get $j) (i32.const 1)))
                (br $jloop)))
            (call $addF64 (i32.add (local.get $acc) (i32.shl (local.get $kb) (i32.const 5))) (local.get $s1))
            (call $addF64 (i32.add (i32.add (local.get $acc) (local.get $cs)) (i32.shl (local.get $kb) (i32.const 5)))
              (local.get $s2))
            (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
            (br $kloop)))
        (local.set $r0 (i32.add (local.get $r0) (local.get $m)))
        (br $rloop))))

  ;; Input gradient: out = a·dz + b·(x − mu) + c, dz = dy · mask(x·sc + sh), all f32.
  (func (export "bnGradDx") (param $x i32) (param $dy i32) (param $out i32) (param $n i32) (param $c4 i32)
    (param $sc i32) (param $sh i32) (param $mu i32) (param $a i32) (param $b i32) (param $c i32) (param $act i32)
    (local $end i32) (local $kb i32) (local $o i32) (local $xv v128) (local $dz v128) (local $z v128)
    (local $lo v128) (local $hi v128) (local $all v128)
    (local.set $lo (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $hi (v128.const f32x4 inf inf inf inf))
    (local.set $all (v128.const i32x4 -1 -1 -1 -1))
    (if (local.get $act) (then
      (local.set $lo (v128.const f32x4 0 0 0 0))
      (local.set $hi (v128.const f32x4 6 6 6 6))
      (local.set $all (v128.const i32x4 0 0 0 0))))
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $n) (i32.shl (local.get $c4) (i32.const 4)))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $kb (i32.const 0))
        (block $kdone
          (loop $kloop
            (br_if $kdone (i32.ge_u (local.get $kb) (local.get $c4)))
            (local.set $o (i32.shl (local.get $kb) (i32.const 4)))
            (local.set $xv (v128.load (local.get $x)))
            (local.set $z (f32x4.add (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $sc) (local.get $o))))
              (v128.load (i32.add (local.get $sh) (local.get $o)))))
            (local.set $dz (v128.and (v128.load (local.get $dy))
              (v128.or (local.get $all)
                (v128.and (f32x4.gt (local.get $z) (local.get $lo)) (f32x4.le (local.get $z) (local.get $hi))))))
            (v128.store (local.get $out)
              (f32x4.add
                (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $a) (local.get $o))) (local.get $dz))
                  (f32x4.mul (v128.load (i32.add (local.get $b) (local.get $o)))
                    (f32x4.sub (local.get $xv) (v128.load (i32.add (local.get $mu) (local.get $o))))))
                (v128.load (i32.add (local.get $c) (local.get $o)))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $out (i32.add (local.get $out) (i32.const 16)))
            (local.set $kb (i32.add (local.get $kb) (i32.const 1)))
            (br $kloop)))
        (br $row))))

  ;; ---- Transpose of a [r, c] float32 matrix into [c, r], r and c multiples of 4 (../wasm-fast-paths.ts) ----
  ;; 4×4 blocks transposed in registers; bands of 32 source rows keep the reads and writes in cache.
  (func (export "transpose2d") (param $src i32) (param $dst i32) (param $r i32) (param $c i32)
    (local $i0 i32) (local $iend i32) (local $i i32) (local $j i32) (local $rs i32) (local $ds i32)
    (local $p i32) (local $q i32)
    (local $a v128) (local $b v128) (local $e v128) (local $f v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rs (i32.shl (local.get $c) (i32.const 2))) ;; source row bytes
    (local.set $ds (i32.shl (local.get $r) (i32.const 2))) ;; destination row bytes
    (local.set $i0 (i32.const 0))
    (block $bdone
      (loop $band
        (br_if $bdone (i32.ge_u (local.get $i0) (local.get $r)))
        (local.set $iend (i32.add (local.get $i0) (i32.const 32)))
        (if (i32.gt_u (local.get $iend) (local.get $r)) (then (local.set $iend (local.get $r))))
        (local.set $j (i32.const 0))
        (block $jdone
          (loop $jloop
            (br_if $jdone (i32.ge_u (local.get $j) (local.get $c)))
            (local.set $i (local.get $i0))
            (block $idone
              (loop $iloop
                (br_if $idone (i32.ge_u (local.get $i) (local.get $iend)))
                (local.set $p (i32.add (local.get $src)
                  (i32.add (i32.mul (local.get $i) (local.get $rs)) (i32.shl (local.get $j) (i32.const 2)))))
                (local.set $a (v128.load (local.get $p)))
                (local.set $b (v128.load (i32.add (local.get $p) (local.get $rs))))
                (local.set $e (v128.load (i32.add (local.get $p) (i32.shl (local.get $rs) (i32.const 1)))))
                (local.set $f (v128.load (i32.add (local.get $p) (i32.mul (local.get $rs) (i32.const 3)))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
                (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
                (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $e) (local.get $f)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $e) (local.get $f)))
                (local.set $q (i32.add (local.get $dst)
                  (i32.add (i32.mul (local.get $j) (local.get $ds)) (i32.shl (local.get $i) (i32.const 2)))))
                (v128.store (local.get $q)
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                (v128.store (i32.add (local.get $q) (local.get $ds))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                (v128.store (i32.add (local.get $q) (i32.shl (local.get $ds) (i32.const 1)))
                  (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                (v128.store (i32.add (local.get $q) (i32.mul (local.get $ds) (i32.const 3)))
                  (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $iloop)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $jloop)))
        (local.set $i0 (local.get $iend))
        (br $band))))
)

