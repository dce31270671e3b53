;; Numeric operations and conversions, including the trapping and saturating ones.
(module
  (func (export "ints") (result i64)
    (i64.add
      (i64.extend_i32_s (i32.rotl (i32.popcnt (i32.const -1)) (i32.clz (i32.const 1))))
      (i64.rem_u (i64.shr_s (i64.const -1) (i64.const 65)) (i64.const 7))))
  (func (export "floats") (result f64)
    (f64.add (f64.promote_f32 (f32.sqrt (f32.const 2)))
             (f64.nearest (f64.copysign (f64.const 2.5) (f64.const -0)))))
  (func (export "convert") (result i32)
    (i32.add (i32.trunc_sat_f64_s (f64.const 1e300))
             (i32.trunc_f32_u (f32.const 4e9))))
  (func (export "signext") (result i64) (i64.extend8_s (i64.const 0x80))))
