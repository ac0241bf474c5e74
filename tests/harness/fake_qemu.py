#!/usr/bin/env python3
"""A stand-in for qemu-system-x86_64, for testing the boot harness itself.

The "image" (-kernel or -cdrom) is a text file: each plain line is printed
to the serial console (stdout), and lines starting with @ are directives:

  @args          print "ARGS: " and the command line as received
  @exit N        exit with status N (as QEMU would after isa-debug-exit)
  @sleep S       sleep S seconds
  @hang          sleep forever
  @spawn-hang    start a child that sleeps forever holding the serial pipe,
                 print "CHILD: <pid>", then sleep forever
  @crlf TEXT     print TEXT ending in \\r\\n
  @bytes HEX     write raw bytes (hex) to the serial console
  @stderr TEXT   print TEXT to stderr
  @many N        print N numbered lines ("line 1" ...)

Reaching the end of the file exits 0.
"""
import os
import shlex
import subprocess
import sys
import time


def main(argv):
    image = None
    for flag in ("-kernel", "-cdrom"):
        if flag in argv:
            image = argv[argv.index(flag) + 1]
    if image is None:
        print("fake_qemu: no -kernel or -cdrom", file=sys.stderr)
        return 1
    if argv[argv.index("-serial") + 1] != "stdio":
        print("fake_qemu: serial must be stdio", file=sys.stderr)
        return 1
    out = sys.stdout
    with open(image, encoding="utf-8") as f:
        script = f.read().splitlines()
    for line in script:
        word, _, rest = line.partition(" ")
        if word == "@args":
            out.write("ARGS: " + shlex.join(argv) + "\n")
        elif word == "@exit":
            out.flush()
            return int(rest)
        elif word == "@sleep":
            out.flush()
            time.sleep(float(rest))
        elif word == "@hang":
            out.flush()
            while True:
                time.sleep(3600)
        elif word == "@spawn-hang":
            child = subprocess.Popen(["sleep", "100000"])
            out.write(f"CHILD: {child.pid}\n")
            out.flush()
            while True:
                time.sleep(3600)
        elif word == "@crlf":
            out.write(rest + "\r\n")
        elif word == "@bytes":
            out.flush()
            sys.stdout.buffer.write(bytes.fromhex(rest))
            sys.stdout.buffer.flush()
        elif word == "@stderr":
            print(rest, file=sys.stderr)
        elif word == "@many":
            for i in range(1, int(rest) + 1):
                out.write(f"line {i}\n")
        else:
            out.write(line + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
