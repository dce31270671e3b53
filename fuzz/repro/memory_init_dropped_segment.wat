;; UBSan: memcpy from a null source. memory.init of length 0 from a dropped (or empty) data
;; segment passes the segment's data() == nullptr to memcpy (src/wasm/interp/handlers.cc,
;; MemoryInit). Expected: f returns normally (a zero-length init at offset 0 is in bounds).
(module
  (memory 1)
  (data "")
  (data "abc")
  (func (export "f")
    (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))
    (data.drop 1)
    (memory.init 1 (i32.const 0) (i32.const 0) (i32.const 0))))
