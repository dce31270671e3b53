#!/usr/bin/env python3
"""Writes the hand-assembled reproducers in this directory (the shapes wat2wasm will not make,
or that are too big to write as text). Each is described in README.md. Usage: make_repros.py"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from make_corpus import leb, section  # noqa: E402  (the one LEB128 and section writer)

here = os.path.dirname(os.path.abspath(__file__))


def vec(items):
    return leb(len(items)) + b"".join(items)


def module(*sections):
    return b"\0asm\1\0\0\0" + b"".join(sections)


def func_type(params, results):
    return b"\x60" + vec([bytes([p]) for p in params]) + vec([bytes([r]) for r in results])


def export_func(name, index):
    return leb(len(name)) + name.encode() + b"\x00" + leb(index)


def body(locals_, code):
    b = vec(locals_) + code
    return leb(len(b)) + b


I32, I64 = 0x7F, 0x7E


def br_table_amplification():
    # block (type [] -> [i32 x 1000]) with 1000 constants, br_table with 10,000 targets all 0.
    arity, targets = 1000, 10_000
    types = vec([func_type([I32], []), func_type([], [I32] * arity)])
    code = (b"\x02\x01" + b"\x41\x05" * arity + b"\x20\x00\x0e" + leb(targets) +
            b"\x00" * (targets + 1) + b"\x0b" + b"\x1a" * arity + b"\x0b")
    return module(section(1, types), section(3, vec([leb(0)])),
                  section(7, vec([export_func("f", 0)])), section(10, vec([body([], code)])))


def br_if_amplification():
    # block (type [] -> [i32 x 1000]) with 1000 constants, then 10,000 x (local.get 0; br_if 0):
    # every br_if copies the 1000 values again.
    arity, n = 1000, 10_000
    types = vec([func_type([I32], []), func_type([], [I32] * arity)])
    code = (b"\x02\x01" + b"\x41\x05" * arity + b"\x20\x00\x0d\x00" * n + b"\x0b" +
            b"\x1a" * arity + b"\x0b")
    return module(section(1, types), section(3, vec([leb(0)])),
                  section(7, vec([export_func("f", 0)])), section(10, vec([body([], code)])))


def nested_loops():
    # One function of 9,999 nested loops (just under the default max_control_depth).
    depth = 9_999
    code = b"\x03\x40" * depth + b"\x0b" * (depth + 1)
    return module(section(1, vec([func_type([], [])])), section(3, vec([leb(0)])),
                  section(7, vec([export_func("f", 0)])), section(10, vec([body([], code)])))


def many_giant_tables():
    # 1000 funcref tables of 10,000,000 elements each: every one is within the default
    # max_table_size, together they are 80 GB.
    tables = vec([b"\x70\x00" + leb(10_000_000)] * 1000)
    return module(section(4, tables))


def params_bypass_locals_limit():
    # A function of 50,001 i32 parameters and no declared locals (max_function_locals = 50,000).
    n = 50_001
    code = b"\x20" + leb(n - 1) + b"\x0b"
    return module(section(1, vec([func_type([I32] * n, [I32])])), section(3, vec([leb(0)])),
                  section(7, vec([export_func("f", 0)])), section(10, vec([body([], code)])))


def huge_frame_fuel():
    # "run" loops forever calling $big, whose 50,000 i64 locals are zeroed on every entry.
    # "spin" loops forever doing nothing. Under the same fuel budget, "run" takes ~10^4 times
    # longer than "spin".
    types = vec([func_type([], [])])
    big = body([leb(50_000) + bytes([I64])], b"\x0b")
    run = body([], b"\x03\x40\x10\x00\x0c\x00\x0b\x0b")
    spin = body([], b"\x03\x40\x0c\x00\x0b\x0b")
    return module(section(1, types), section(3, vec([leb(0)] * 3)),
                  section(7, vec([export_func("run", 1), export_func("spin", 2)])),
                  section(10, vec([big, run, spin])))


REPROS = {
    "br_table_amplification.wasm": br_table_amplification,
    "br_if_amplification.wasm": br_if_amplification,
    "nested_loops_quadratic.wasm": nested_loops,
    "many_giant_tables.wasm": many_giant_tables,
    "params_bypass_locals_limit.wasm": params_bypass_locals_limit,
    "huge_frame_fuel.wasm": huge_frame_fuel,
}

if __name__ == "__main__":
    for name, make in REPROS.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(make())
