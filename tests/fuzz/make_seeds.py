#!/usr/bin/env python3
"""Writes seed inputs for fuzz-boot-info: valid Multiboot 1 and 2 blocks in
the target's input layout (see fuzz_boot_info.cpp), so the fuzzer starts
from structures that parse instead of having to discover the magic sizes.

usage: make_seeds.py OUTPUT_DIR STAMP_FILE
"""
import os
import struct
import sys

MEM_BASE = 0x10000


class Memory:
    def __init__(self):
        self.buf = bytearray()

    def put(self, data, align=8):
        while len(self.buf) % align:
            self.buf.append(0)
        at = MEM_BASE + len(self.buf)
        self.buf += data
        return at


MMAP = [(0, 0x9FC00, 1), (0x9FC00, 0x400, 2), (0x100000, 0x7EE0000, 1), (0x7FE0000, 0x20000, 3)]


def mb1(with_modules=True):
    mem = Memory()
    mem.put(bytes(8))  # keep the info block off offset 0
    cmdline = mem.put(b"/boot/pvisor loglevel=debug crash=none\0", 1)
    loader = mem.put(b"qemu\0", 1)
    mmap = b"".join(struct.pack("<IQQI", 20, b, l, t) for b, l, t in MMAP)
    mmap_at = mem.put(mmap, 4)
    mods = b""
    if with_modules:
        name = mem.put(b"dom0 console=hvc0\0", 1)
        mods = struct.pack("<IIII", 0x800000, 0x880000, name, 0)
    mods_at = mem.put(mods, 4) if mods else 0
    flags = (1 << 2) | (1 << 6) | (1 << 9) | ((1 << 3) if mods else 0)
    info = bytearray(116)
    struct.pack_into("<I", info, 0, flags)
    struct.pack_into("<I", info, 16, cmdline)
    struct.pack_into("<II", info, 20, len(mods) // 16, mods_at)
    struct.pack_into("<II", info, 44, len(mmap), mmap_at)
    struct.pack_into("<I", info, 64, loader)
    at = mem.put(bytes(info), 8)
    return bytes([0, at - MEM_BASE]) + bytes(mem.buf)


def tag(kind, payload):
    t = struct.pack("<II", kind, 8 + len(payload)) + payload
    return t + bytes(-len(t) % 8)


def mb2():
    body = tag(1, b"loglevel=info crash=pf\0")
    body += tag(2, b"GRUB 2.06\0")
    body += tag(3, struct.pack("<II", 0x800000, 0x880000) + b"dom0\0")
    body += tag(4, struct.pack("<II", 639, 130048))
    body += tag(6, struct.pack("<II", 24, 0) + b"".join(struct.pack("<QQII", b, l, t, 0) for b, l, t in MMAP))
    body += tag(14, b"RSD PTR " + bytes(12))
    body += tag(15, b"RSD PTR " + bytes(28))
    body += tag(0, b"")
    block = struct.pack("<II", 8 + len(body), 0) + body
    return bytes([1, 0]) + block


def main():
    out_dir, stamp = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    seeds = {"mb1": mb1(), "mb1-nomods": mb1(False), "mb2": mb2(), "mb2-pagewise": bytes([3]) + mb2()[1:]}
    for name, data in seeds.items():
        with open(os.path.join(out_dir, "seed-" + name), "wb") as f:
            f.write(data)
    with open(stamp, "w") as f:
        f.write("%d seeds\n" % len(seeds))


if __name__ == "__main__":
    main()
