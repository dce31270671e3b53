;; Branches of every kind, fused compares, select, an infinite loop (fuel) and deep recursion.
(module
  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
      (return (i32.const 30)))
    (select (i32.const 1) (i32.const 2) (i32.eqz (local.get 0))))
  (func (export "forever") (loop $l (br $l)))
  (func $down (export "recurse") (call $down))
  (func (export "traps") (result i32)
    (drop (i32.div_s (i32.const -2147483648) (i32.const -1)))
    (unreachable)))
