#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ from fuzz/seeds/*.wat (assembled with wat2wasm)
and a few hand-made malformed modules. fuzz_gen's corpus is not made here: it is whatever a
fuzz_gen run found worth keeping (see docs/FUZZING.md). Usage: fuzz/make_corpus.py"""
import glob, os, subprocess, tempfile

here = os.path.dirname(os.path.abspath(__file__))


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def section(sid, body):
    return bytes([sid]) + leb(len(body)) + body


HEADER = b"\0asm\1\0\0\0"
FUNC_VOID = section(1, b"\x01\x60\x00\x00") + section(3, b"\x01\x00")


def code(body):
    return section(10, b"\x01" + leb(len(body)) + body)


MALFORMED = {
    "truncated_header": HEADER[:6],
    "bad_magic": b"\0wasm\1\0\0",
    "huge_type_count": HEADER + section(1, leb(0xFFFFFFFF)),
    "huge_function_count": HEADER + section(1, b"\x01\x60\x00\x00") + section(3, leb(0xFFFFFFFF)),
    "huge_local_count": HEADER + FUNC_VOID + code(b"\x01" + leb(0xFFFFFFFF) + b"\x7f\x0b"),
    "section_past_end": HEADER + b"\x01" + leb(1000) + b"\x00",
    "overlong_leb": HEADER + b"\x01\x80\x80\x80\x80\x80\x00",
    "deep_blocks": HEADER + FUNC_VOID + code(b"\x00" + b"\x02\x40" * 2000 + b"\x0b" * 2001),
    "huge_br_table": HEADER + FUNC_VOID + code(b"\x00\x41\x00\x0e" + leb(0xFFFFFFF0) + b"\x00\x0b"),
    "memory_4gib": HEADER + section(5, b"\x01\x00" + leb(65536)),
    "table_huge": HEADER + section(4, b"\x01\x70\x00" + leb(0xFFFFFFFF)),
}


def main():
    run_dir = os.path.join(here, "corpus", "fuzz_run")
    load_dir = os.path.join(here, "corpus", "fuzz_load")
    os.makedirs(run_dir, exist_ok=True)
    os.makedirs(load_dir, exist_ok=True)
    modules = {}
    with tempfile.TemporaryDirectory() as tmp:
        for wat in sorted(glob.glob(os.path.join(here, "seeds", "*.wat"))):
            name = os.path.splitext(os.path.basename(wat))[0]
            out = os.path.join(tmp, name + ".wasm")
            subprocess.run(["wat2wasm", wat, "-o", out], check=True)
            modules[name] = open(out, "rb").read()
    modules.update(MALFORMED)
    for name, data in modules.items():
        open(os.path.join(run_dir, name + ".wasm"), "wb").write(data)
        # fuzz_load: a policy byte first. 0xbf: every WebAssembly 2.0 feature; 0x00: MVP only;
        # 0x40: MVP with tight limits.
        for policy in (0xBF, 0x00, 0x40):
            path = os.path.join(load_dir, "%s_%02x" % (name, policy))
            open(path, "wb").write(bytes([policy]) + data)


if __name__ == "__main__":
    main()
