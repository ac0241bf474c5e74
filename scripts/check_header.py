#!/usr/bin/env python3
"""Compile one header alone, or prove that hosted headers are rejected.

  check_header.py header --lang c|c++ --include-dir DIR --header FILE -- CC [FLAGS...]
      Compiles a translation unit that includes FILE (by its path below DIR,
      as a user of the ABI would write it) twice, to catch a missing include
      guard, with nothing before it. Exit 0 if it compiles, 1 if not.

  check_header.py hosted --lang c|c++ --include NAME [--include NAME...] -- CC [FLAGS...]
      For a should_fail test: a trivial freestanding unit must compile with
      the flags (else exit 99: the check itself is broken), and each hosted
      header NAME (e.g. vector, stdio.h) must fail with "file not found".
      Exit 1 when every one was rejected that way (the expected failure),
      0 when any compiled (a hosted header leaked into freestanding code),
      99 when one failed for some other reason.

CC may be several words (meson's cmd_array(), e.g. ccache clang).
"""

import argparse
import os
import subprocess
import sys
import tempfile

EXPECTED_FAIL, LEAKED, BROKEN = 1, 0, 99


def compile_unit(cmd, lang, source, workdir):
    path = os.path.join(workdir, "unit.c" if lang == "c" else "unit.cpp")
    with open(path, "w", encoding="utf-8") as f:
        f.write(source)
    full = cmd + ["-x", lang, "-fsyntax-only", path]
    p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout, full


def check_header(args, cmd, workdir):
    include_dir = os.path.abspath(args.include_dir)
    header = os.path.abspath(args.header)
    rel = os.path.relpath(header, include_dir)
    if rel.startswith(os.pardir + os.sep):
        print(f"check_header: {header} is not below {include_dir}")
        return BROKEN
    source = (f"/* {rel} must compile on its own, and twice. */\n"
              f"#include <{rel}>\n#include <{rel}>\n"
              # A header of macros alone would leave C's unit empty (-pedantic).
              "typedef int pvisor_check_header_unit;\n")
    code, out, full = compile_unit(cmd + ["-I", include_dir], args.lang, source, workdir)
    label = f"{rel} as {'C' if args.lang == 'c' else 'C++'}"
    if code == 0:
        print(f"PASS: {label} compiles alone")
        return 0
    print(f"FAIL: {label} does not compile alone\ncommand: {' '.join(full)}\n{out}")
    return 1


def check_hosted(args, cmd, workdir):
    code, out, full = compile_unit(
        cmd, args.lang, "#include <stdint.h>\n#include <stddef.h>\nuint32_t x;\n", workdir)
    if code != 0:
        print(f"BROKEN: a trivial freestanding unit does not compile with these flags\n"
              f"command: {' '.join(full)}\n{out}")
        return BROKEN
    result = EXPECTED_FAIL
    for name in args.include:
        code, out, full = compile_unit(cmd, args.lang, f"#include <{name}>\n", workdir)
        if code == 0:
            print(f"LEAK: <{name}> compiles with the freestanding flags\ncommand: {' '.join(full)}")
            result = LEAKED
        elif "file not found" in out:
            print(f"ok: <{name}> rejected (file not found)")
        else:
            print(f"BROKEN: <{name}> failed, but not as a missing file\ncommand: {' '.join(full)}\n{out}")
            if result == EXPECTED_FAIL:
                result = BROKEN
    return result


def main(argv):
    if "--" not in argv:
        print("check_header: missing -- COMPILER [FLAGS...]")
        return BROKEN
    split = argv.index("--")
    cmd = argv[split + 1:]
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["header", "hosted"])
    p.add_argument("--lang", choices=["c", "c++"], required=True)
    p.add_argument("--include-dir")
    p.add_argument("--header")
    p.add_argument("--include", action="append", default=[])
    args = p.parse_args(argv[:split])
    if not cmd:
        print("check_header: no compiler given")
        return BROKEN
    if args.mode == "header" and not (args.include_dir and args.header):
        print("check_header: header mode needs --include-dir and --header")
        return BROKEN
    if args.mode == "hosted" and not args.include:
        print("check_header: hosted mode needs --include")
        return BROKEN
    with tempfile.TemporaryDirectory(prefix="pvisor-abi-") as workdir:
        try:
            if args.mode == "header":
                return check_header(args, cmd, workdir)
            return check_hosted(args, cmd, workdir)
        except OSError as e:
            print(f"check_header: cannot run {cmd[0]}: {e}")
            return BROKEN


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
