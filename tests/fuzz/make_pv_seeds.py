#!/usr/bin/env python3
"""Writes seed inputs for the PV fuzz targets, so that each starts from
inputs that get past the first checks:

  elf            PV kernel images that parse and build (fuzz_elf.cpp)
  hypercall      guest memory and hypercall sequences (fuzz_hypercall.cpp)
  module-string  boot-module strings (fuzz_module_string.cpp)

usage: make_pv_seeds.py KIND OUTPUT_DIR STAMP_FILE
"""
import os
import struct
import sys

# --- ELF images --------------------------------------------------------------

PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W, PF_R = 1, 2, 4
ABI_VERSION = 0x00000001
KBASE = 0xFFFFFFFF80000000


def note(name, kind, desc):
    name = name.encode() + b"\0"
    out = struct.pack("<III", len(name), len(desc), kind) + name
    out += bytes(-len(out) % 4) + desc
    return out + bytes(-len(out) % 4)


def pv_notes(hypercall_page, abi=ABI_VERSION, os_name=b"fuzz-os\0"):
    return (note("PVISOR", 1, struct.pack("<I", abi)) + note("PVISOR", 2, struct.pack("<Q", hypercall_page))
            + note("PVISOR", 3, os_name))


def elf(segments, entry, notes=b"", knob=0, notes_last=False):
    """segments: (vaddr, data, memsz, flags). The last byte is fuzz_elf's knob
    (after the notes if notes_last, so that they end next to the file's end)."""
    nph = len(segments) + (1 if notes else 0)
    off = 64 + 56 * nph
    body = bytearray()
    phdrs = []
    if notes and not notes_last:
        phdrs.append(struct.pack("<IIQQQQQQ", PT_NOTE, PF_R, off, 0, 0, len(notes), len(notes), 4))
        body += notes
    for vaddr, data, memsz, flags in segments:
        while (off + len(body)) % 16:
            body.append(0)
        phdrs.append(struct.pack("<IIQQQQQQ", PT_LOAD, flags, off + len(body), vaddr, vaddr, len(data), memsz, 16))
        body += data
    if notes and notes_last:
        phdrs.append(struct.pack("<IIQQQQQQ", PT_NOTE, PF_R, off + len(body), 0, 0, len(notes), len(notes), 4))
        body += notes
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, 64, 0, 0, 64, 56, nph, 0, 0, 0)
    return ehdr + b"".join(phdrs) + bytes(body) + bytes([knob])


def text(n):
    return bytes((i * 7 + 1) & 0xFF for i in range(n))


def elf_seeds():
    std = [(KBASE, text(0x2000), 0x2000, PF_R | PF_X), (KBASE + 0x2000, bytes(0x100), 0x1000, PF_R),
           (KBASE + 0x4000, b"\x11" * 0x800, 0x2800, PF_R | PF_W)]
    return {
        "standard": elf(std, KBASE + 0x10, pv_notes(KBASE + 0x1000), knob=21),
        "standard-oom": elf(std, KBASE + 0x10, pv_notes(KBASE + 0x1000), knob=5 * 7),
        "one-segment": elf([(KBASE, text(0x1000), 0x1000, PF_R | PF_X)], KBASE, pv_notes(KBASE), knob=61),
        "skewed": elf([(KBASE + 0x123, text(0x1edd), 0x1edd, PF_R | PF_X)], KBASE + 0x200, pv_notes(KBASE + 0x1000),
                      knob=201),
        "no-notes": elf(std, KBASE + 0x10),
        # A note header alone at the end of the file: its name would start
        # with the knob byte ('P') and run past the end.
        "note-at-end": elf(std, KBASE + 0x10, pv_notes(KBASE + 0x1000) + struct.pack("<III", 7, 4, 1),
                           knob=ord("P"), notes_last=True),
        "near-physmap": elf([(0xFFFF880000000000, text(0x2000), 0x2000, PF_R | PF_X)], 0xFFFF880000000000,
                            pv_notes(0xFFFF880000001000), knob=3),
        "crosses-1g": elf([(0xFFFFFFFFBFFFF000, text(0x2000), 0x2000, PF_R | PF_X)], 0xFFFFFFFFBFFFF000,
                          pv_notes(0xFFFFFFFFC0000000), knob=77),
    }


# --- hypercall sequences (layout in fuzz_hypercall.cpp) ----------------------

BASE = KBASE  # fake::FakeGuest::mem_base


def a_off(offset):  # memory base + offset
    return bytes([0]) + struct.pack("<H", offset)


def a_raw(value):
    return bytes([1]) + struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF)


def a_small(value):
    return bytes([3 | (value << 2)])


def call(nr, *args):
    args = list(args) + [a_small(0)] * (5 - len(args))
    return bytes([nr]) + b"".join(args)


def trap_info(vector, address, flags=0):
    return struct.pack("<BBHIQ", vector, flags, 0, 0, address)


def hypercall_seed(flags, memory, steps, attrs=0):
    return bytes([flags, attrs]) + struct.pack("<H", len(memory)) + memory + b"".join(steps)


def hypercall_seeds():
    handler = 0xFFFFFFFF81000000
    table = b"".join(trap_info(v, handler + v * 16, 2 if v == 14 else 0) for v in (0, 3, 6, 13, 14))
    callback = struct.pack("<IIQ", 1, 1, handler + 0x1000)       # syscall callback, masked
    failsafe = struct.pack("<IIQ", 2, 0, handler + 0x2000)
    frame_user = struct.pack("<QQQIIQQQQQQ", 0, 0, 0, 0, 1, 0, 0x401000, 0x2B, 0x202, 0x7FFFF000, 0x23)
    frame_bad = struct.pack("<QQQIIQQQQQQ", 0, 0, 0, 0, 0, 0, 0x0000800000000000, 0x2B, 0x202, BASE + 0x3000, 0x23)
    text = b"hello from the fuzzer\n\x1b[2Jmore\r\n"
    mem = bytearray(0x1000)
    mem[0:len(table)] = table
    mem[0x100:0x110] = callback
    mem[0x110:0x120] = failsafe
    mem[0x200:0x250] = frame_user
    mem[0x300:0x350] = frame_bad
    mem[0x400:0x400 + len(text)] = text
    mem = bytes(mem)
    setup = [call(1, a_off(0), a_small(5)),                       # set_trap_table
             call(2, a_off(0x3000)),                               # stack_switch
             call(5, a_small(0), a_off(0x100)),                    # register the syscall callback
             call(5, a_small(0), a_off(0x110))]                    # and the failsafe one
    return {
        "console": hypercall_seed(0, mem, [call(0, a_small(0), a_small(len(text)), a_off(0x400)),
                                           call(0, a_small(1), a_small(16), a_off(0x800)),
                                           call(6, a_small(2), a_off(0x900))]),
        "dom0-read": hypercall_seed(1, mem, [call(0, a_small(1), a_small(16), a_off(0x800))]),
        "to-user-and-back": hypercall_seed(0, mem, setup + [
            bytes([11]) + a_off(0x200),                            # rsp at the user frame
            call(3, a_off(0x200)),                                 # iret to user mode
            bytes([10]),                                           # syscall from user mode
            bytes([9]) + a_small(14) + a_small(6) + a_raw(0x1000),  # page fault in kernel mode
            call(3, a_off(0x200))]),
        "failsafe": hypercall_seed(0, mem, setup + [call(3, a_off(0x300))]),
        "user-start": hypercall_seed(2 | 32, mem, [bytes([9]) + a_small(3) + a_small(0) + a_small(0),
                                                   bytes([10])]),
        "sched": hypercall_seed(8 | 16, mem, [call(7, a_small(0)), call(7, a_small(1)), call(4, a_small(0),
                                              a_raw(0x7F0000000000)), call(7, a_small(2), a_small(1))]),
        "read-only": hypercall_seed(0, mem, setup + [call(6, a_small(2), a_off(0x2000))], attrs=0b11100100),
    }


# --- module strings -----------------------------------------------------------

def module_string_seeds():
    strings = [
        b"\x01/boot/pvkernel.elf name=web mem=32M user=2M console=hvc0",
        b"\x00/boot/dom0 mem=64m quiet",
        b"\x02name=solo mem=1G user=4K",
        b"\x03\t/k  mem=1023K user=4095 name= name=" + b"n" * 40,
        b"\x01k mem=18446744073709551615 user=17179869184G mem=99999999999999999999",
        b"\x02k mem=1048576 user=4096 loglevel=debug =x a=b=c",
    ]
    return {"s%d" % i: s for i, s in enumerate(strings)}


def main():
    kind, out_dir, stamp = sys.argv[1], sys.argv[2], sys.argv[3]
    seeds = {"elf": elf_seeds, "hypercall": hypercall_seeds, "module-string": module_string_seeds}[kind]()
    os.makedirs(out_dir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out_dir, "seed-" + name), "wb") as f:
            f.write(data)
    with open(stamp, "w") as f:
        f.write("%d seeds\n" % len(seeds))


if __name__ == "__main__":
    main()
