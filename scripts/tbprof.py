#!/usr/bin/env python3
"""Instruction profile of one pvkernel benchmark, per function, per operation.

Boots a benchmark twice (N1 and N2 iterations) under QEMU with
`-icount shift=0,sleep=off -d in_asm,exec,nochain`, counts the guest
instructions each translated block executed, attributes every block to the
function its first instruction lies in (symbols from the hypervisor's and the
guest kernel's ELF files), and prints the difference of the two runs divided
by the extra operations: the instructions one operation spends in each
function, boot and set-up cancelled out.

usage: scripts/tbprof.py [--native] [--iterations N1,N2] [--ops-per-iteration K] SELECTOR
  e.g. scripts/tbprof.py events          (two domains, like run_bench.py)
       scripts/tbprof.py --native ctx_switch
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-icount", "shift=0,sleep=off", "-m", "256M",
        "-nodefaults", "-display", "none", "-no-reboot", "-serial", "file:/dev/null",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
MODULES = {"events": 2, "yield": 2}


def symbols(elf):
    out = subprocess.run(["nm", "-C", "--defined-only", elf], capture_output=True, text=True, check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return syms


class Symbolizer:
    def __init__(self, tables):
        self.addrs, self.names = [], []
        for tag, syms in tables:
            for addr, name in syms:
                self.addrs.append(addr)
                self.names.append(f"{tag}:{name}")
        order = sorted(range(len(self.addrs)), key=lambda i: self.addrs[i])
        self.addrs = [self.addrs[i] for i in order]
        self.names = [self.names[i] for i in order]
        self.cache = {}

    def block(self, pc):
        """The function and offset of pc, e.g. "hv:foo+0x1c"."""
        i = bisect.bisect_right(self.addrs, pc) - 1
        if i < 0 or pc - self.addrs[i] >= 0x100000:
            return "user" if pc < 0x800000000000 else "?"
        return f"{self.names[i]}+{pc - self.addrs[i]:#x}"

    def __call__(self, pc):
        name = self.cache.get(pc)
        if name is None:
            i = bisect.bisect_right(self.addrs, pc) - 1
            # Addresses below the kernels' images are user programs.
            name = self.names[i] if i >= 0 and pc - self.addrs[i] < 0x100000 else (
                "user" if pc < 0x800000000000 else "?")
            self.cache[pc] = name
        return name


TRACE = re.compile(r"Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")
INSN = re.compile(r"0x([0-9a-f]+):\s")


def profile(cmd, sym, by_block=False):
    """Run QEMU with the exec log on a FIFO; return {function: instructions}
    (or {function+offset of a block's start: instructions} when by_block)."""
    counts = collections.Counter()
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "log")
        os.mkfifo(fifo)
        p = subprocess.Popen(cmd + ["-d", "in_asm,exec,nochain", "-D", fifo], stdout=subprocess.DEVNULL)
        tb_size = {}
        pending = None  # instruction count of the block just translated
        with open(fifo, errors="replace") as log:
            in_block = False
            n = 0
            for line in log:
                if in_block:
                    if INSN.match(line):
                        n += 1
                        continue
                    in_block = False
                    pending = n
                if line.startswith("IN:"):
                    in_block, n = True, 0
                    continue
                m = TRACE.match(line)
                if m:
                    host = m.group(1)
                    if pending is not None:
                        tb_size[host] = pending
                        pending = None
                    pc = int(m.group(2), 16)
                    key = sym.block(pc) if by_block else sym(pc)
                    counts[key] += tb_size.get(host, 0)
        p.wait()
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("selector")
    ap.add_argument("--native", action="store_true", help="profile the native build instead")
    ap.add_argument("--iterations", default="50,150")
    ap.add_argument("--ops-per-iteration", type=float, default=1.0)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--by-block", action="store_true",
                    help="count per translated block (function+offset of its start), not per function")
    a = ap.parse_args()
    n1, n2 = (int(x) for x in a.iterations.split(","))
    pv_elf = os.path.join(a.build, "guests/pvkernel/pvkernel-pv.elf")
    native_elf = os.path.join(a.build, "guests/pvkernel/pvkernel-native.elf")
    hv_elf = os.path.join(a.build, "hypervisor/pvisor.elf")
    if a.native:
        sym = Symbolizer([("native", symbols(native_elf))])
    else:
        sym = Symbolizer([("hv", symbols(hv_elf)), ("pvk", symbols(pv_elf))])

    runs = []
    for n in (n1, n2):
        if a.native:
            cmd = QEMU + ["-kernel", os.path.join(a.build, "guests/pvkernel/pvkernel-native.bin"),
                          "-append", f"bench={a.selector} bench_iterations={n}"]
        else:
            mods = [f"{pv_elf} name=bench bench={a.selector} bench_iterations={n}"]
            mods += [f"{pv_elf} name=peer{i} bench={a.selector} bench_iterations={n}"
                     for i in range(1, MODULES.get(a.selector, 1))]
            cmd = QEMU + ["-kernel", os.path.join(a.build, "hypervisor/pvisor.bin"), "-initrd", ",".join(mods)]
        runs.append(profile(cmd, sym, a.by_block))
    ops = (n2 - n1) * a.ops_per_iteration
    diff = {k: (runs[1][k] - runs[0][k]) / ops for k in set(runs[0]) | set(runs[1])}
    total = sum(diff.values())
    print(f"{a.selector} ({'native' if a.native else 'pv'}): {total:.1f} instructions per operation")
    for name, v in sorted(diff.items(), key=lambda kv: -abs(kv[1]))[:a.top]:
        if abs(v) >= 0.5:
            print(f"{v:9.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
