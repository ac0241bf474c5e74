#!/usr/bin/env python3
"""Boot an image in QEMU, capture the serial console, and check it.

This is the one place that knows how pvisor is started in QEMU: the boot
tests (tests/boot), `./run demo`, `./run qemu` and `./run gdb` all come
through here, so a change to the machine line is made once.

Checks run after QEMU exits (there is no early stop): every --expect regex
must match some serial line (in order with --ordered), no --forbid regex may
match any line, and QEMU's exit status must be the --expect-exit one. A guest
that does not exit within --timeout seconds has QEMU's whole process group
killed and fails the test, so a hung guest never blocks the suite.

Exit status: 0 pass, 1 fail, 77 skip (QEMU or a --require'd tool missing),
99 harness error (bad arguments or an image that should exist does not).
With --interactive the serial console is the terminal, nothing is checked,
and the exit status is the guest's mapped status (see INTERACTIVE_STATUS).

Python 3 standard library only.
"""

import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

PASS, FAIL, SKIP, ERROR = 0, 1, 77, 99

# isa-debug-exit: the guest writes v to port 0xf4 and QEMU exits with
# (v << 1) | 1. The values are pvisor's (hypervisor/arch shutdown code).
DEBUG_EXIT_PORT = "0xf4"
EXIT_NAMES = {
    "ok": 33,      # 0x10: clean shutdown
    "fail": 35,    # 0x11: a test inside the guest reported failure
    "panic": 63,   # 0x1f: panic or fatal exception
    "acpi": 0,     # ACPI poweroff (no debug-exit device)
}
STATUS_NAMES = {v: k for k, v in EXIT_NAMES.items()}

# What --interactive (./run demo, ./run qemu) exits with, by QEMU status.
INTERACTIVE_STATUS = {33: 0, 0: 0, 35: 1, 63: 2}
INTERACTIVE_OTHER = 3

TAIL_LINES = 80
KILL_GRACE_SECONDS = 5
_DEFAULT_EXIT = object()


def describe_status(code):
    if code is None:
        return "none (killed by the harness)"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"{code} (QEMU killed by {name})"
    name = STATUS_NAMES.get(code)
    if name:
        return f"{code} ({name})"
    if code & 1 and code > 1:
        return f"{code} (debug-exit value {code >> 1:#x})"
    return str(code)


def parse_exit(text):
    if text == "any":
        return None
    if text in EXIT_NAMES:
        return EXIT_NAMES[text]
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--expect-exit wants ok, fail, panic, acpi, any or a number, not {text!r}")


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Boot pvisor (or any multiboot image or ISO) in QEMU and check its serial output.")
    image = p.add_mutually_exclusive_group(required=True)
    image.add_argument("--kernel", help="multiboot image for QEMU's -kernel")
    image.add_argument("--iso", help="bootable CD image (booted with -cdrom ... -boot d)")
    p.add_argument("--append", help="kernel command line (-append), only with --kernel")
    p.add_argument("--initrd", help="multiboot modules (-initrd), only with --kernel")
    p.add_argument("--qemu", default=os.environ.get("PVISOR_QEMU", "qemu-system-x86_64"),
                   help="QEMU binary (default: $PVISOR_QEMU or qemu-system-x86_64)")
    p.add_argument("--mem", default="256M", help="guest memory (default 256M)")
    p.add_argument("--smp", type=int, help="number of vCPUs")
    p.add_argument("--icount", action="store_true",
                   help="deterministic instruction counting: -icount shift=0,sleep=off")
    p.add_argument("--no-debug-exit", action="store_true",
                   help="leave out the isa-debug-exit device (the guest powers off via ACPI)")
    p.add_argument("--gdb", action="store_true",
                   help="wait for gdb on tcp::1234 before the first instruction (-s -S)")
    p.add_argument("--extra-arg", action="append", default=[], metavar="ARG",
                   help="one more QEMU argument (repeatable)")
    p.add_argument("--expect", action="append", default=[], metavar="REGEX",
                   help="a serial line must match REGEX (repeatable)")
    p.add_argument("--ordered", action="store_true",
                   help="the --expect regexes must match in the order given")
    p.add_argument("--forbid", action="append", default=[], metavar="REGEX",
                   help="no serial line may match REGEX (repeatable)")
    p.add_argument("--expect-exit", type=parse_exit, default=_DEFAULT_EXIT,
                   metavar="ok|fail|panic|acpi|any|N",
                   help="expected QEMU exit status (default: ok, or acpi with --no-debug-exit)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds before QEMU is killed and the test fails "
                        "(default 120; none with --interactive)")
    p.add_argument("--log", help="save the serial output to this file")
    p.add_argument("--name", help="test name for the summary line")
    p.add_argument("--stream", action="store_true",
                   help="echo serial lines to stdout as they arrive")
    p.add_argument("--require", action="append", default=[], metavar="TOOL",
                   help="skip (77) unless TOOL is on PATH or is an existing path (repeatable)")
    p.add_argument("--interactive", action="store_true",
                   help="serial console on the terminal (Ctrl-A X quits), no checks; "
                        "exit 0 clean, 1 guest test failure, 2 panic, 3 other")
    p.add_argument("--print-command", action="store_true",
                   help="print the QEMU command line before running it")
    args = p.parse_args(argv)

    if args.iso and (args.append is not None or args.initrd is not None):
        p.error("--append and --initrd need --kernel (put the command line in the ISO's grub.cfg)")
    if args.expect_exit is _DEFAULT_EXIT:
        args.expect_exit = EXIT_NAMES["acpi"] if args.no_debug_exit else EXIT_NAMES["ok"]
    if args.timeout is None and not args.interactive:
        args.timeout = 120.0
    return args


def qemu_command(args, serial):
    cmd = [args.qemu,
           "-machine", "pc", "-accel", "tcg",
           "-m", args.mem,
           "-nodefaults", "-display", "none", "-no-reboot",
           "-serial", serial]
    if not args.no_debug_exit:
        cmd += ["-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT},iosize=0x04"]
    if args.smp:
        cmd += ["-smp", str(args.smp)]
    if args.icount:
        cmd += ["-icount", "shift=0,sleep=off"]
    if args.gdb:
        cmd += ["-s", "-S"]
    if args.kernel:
        cmd += ["-kernel", args.kernel]
        if args.append is not None:
            cmd += ["-append", args.append]
        if args.initrd is not None:
            cmd += ["-initrd", args.initrd]
    else:
        cmd += ["-cdrom", args.iso, "-boot", "d"]
    cmd += args.extra_arg
    return cmd


def find_executable(name):
    if os.sep in name:
        return name if os.access(name, os.X_OK) and os.path.isfile(name) else None
    return shutil.which(name)


class Qemu:
    """QEMU in its own process group, serial console on a pipe."""

    def __init__(self, cmd, stream):
        self.lines = []
        self.stderr = []
        self.stream = stream
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, self.lines, stream), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr, False), daemon=True),
        ]
        for t in self._readers:
            t.start()

    @staticmethod
    def _read(pipe, sink, echo):
        # The serial port may send anything: split on \n, drop \r and NULs,
        # never fail on bad UTF-8.
        for raw in iter(pipe.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n").replace("\r", "").replace("\0", "")
            sink.append(line)
            if echo:
                try:
                    print(line, flush=True)
                except OSError:
                    # Our reader went away (| head): keep draining the
                    # pipe so QEMU never blocks on a full one.
                    echo = False
        pipe.close()

    def wait(self, timeout):
        """Return QEMU's exit status, or None if it was killed on timeout."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        # QEMU is gone; anything left in the pipes is drained by now or was
        # held by a stray child that the group kill took down.
        for t in self._readers:
            t.join(timeout=KILL_GRACE_SECONDS)
        return code

    def kill(self):
        """SIGTERM QEMU's whole process group, then SIGKILL if it lingers."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=KILL_GRACE_SECONDS)
                # The leader is gone; make sure the rest of the group is too.
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return
            except subprocess.TimeoutExpired:
                continue


def check(args, lines, code):
    """Return the list of failure reasons (empty when everything holds)."""
    reasons = []
    if code is None:
        reasons.append(f"timed out after {args.timeout:g}s: the guest did not exit, "
                       f"QEMU's process group was killed")

    try:
        expects = [re.compile(r) for r in args.expect]
        forbids = [re.compile(r) for r in args.forbid]
    except re.error as e:
        raise SystemExit(f"qemu_boot: bad regular expression: {e}")

    start = 0
    for rx in expects:
        found = None
        for i in range(start if args.ordered else 0, len(lines)):
            if rx.search(lines[i]):
                found = i
                break
        if found is None:
            where = " after the previous expected line" if args.ordered and start else ""
            reasons.append(f"no serial line matches {rx.pattern!r}{where}")
        elif args.ordered:
            # Inclusive: two expected fields may sit on one line (RIP= RSP=).
            start = found

    for rx in forbids:
        for i, line in enumerate(lines):
            if rx.search(line):
                reasons.append(f"serial line {i + 1} matches forbidden {rx.pattern!r}: {line!r}")
                break

    if code is not None and args.expect_exit is not None and code != args.expect_exit:
        reasons.append(f"QEMU exit status {describe_status(code)}, "
                       f"expected {describe_status(args.expect_exit)}")
    return reasons


def missing_requirements(args):
    missing = []
    for tool in args.require:
        if os.sep in tool:
            if not os.path.exists(tool):
                missing.append(tool)
        elif shutil.which(tool) is None:
            missing.append(tool)
    return missing


def run_interactive(args, cmd):
    """Serial console (and QEMU monitor, Ctrl-A C) on the terminal."""
    proc = subprocess.Popen(cmd, start_new_session=False)
    try:
        code = proc.wait(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=KILL_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(f"\nqemu_boot: timed out after {args.timeout:g}s, QEMU killed", file=sys.stderr)
        return INTERACTIVE_OTHER
    except KeyboardInterrupt:
        proc.wait()
        code = proc.returncode
    status = INTERACTIVE_STATUS.get(code, INTERACTIVE_OTHER)
    print(f"qemu_boot: QEMU exit status {describe_status(code)}", file=sys.stderr)
    return status


def say(*args, **kwargs):
    """print(), except that a reader who went away (| head) costs nothing:
    the verdict is the exit status either way."""
    try:
        print(*args, **kwargs, flush=True)
    except OSError:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass


def main(argv):
    args = parse_args(argv)
    label = args.name or os.path.basename(args.kernel or args.iso)

    missing = missing_requirements(args)
    if missing:
        say(f"SKIP: {label}: missing {', '.join(missing)}")
        return SKIP
    qemu = find_executable(args.qemu)
    if qemu is None:
        say(f"SKIP: {label}: QEMU not found ({args.qemu}); scripts/deps.sh installs it")
        return SKIP
    args.qemu = qemu
    image = args.kernel or args.iso
    if not os.path.isfile(image):
        say(f"ERROR: {label}: image {image} does not exist (build it first)")
        return ERROR

    if args.interactive:
        cmd = qemu_command(args, "mon:stdio")
        if args.print_command:
            say(shlex.join(cmd), file=sys.stderr)
        return run_interactive(args, cmd)

    cmd = qemu_command(args, "stdio")
    if args.print_command:
        say(shlex.join(cmd))

    qemu_run = None

    def on_signal(signum, _frame):
        # meson test (or Ctrl-C) is stopping us: QEMU sits in its own
        # session, so take it down explicitly before going.
        if qemu_run is not None:
            qemu_run.kill()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    started = time.monotonic()
    try:
        qemu_run = Qemu(cmd, args.stream)
    except OSError as e:
        say(f"FAIL: {label}: cannot start {args.qemu}: {e}")
        return FAIL
    code = qemu_run.wait(args.timeout)
    elapsed = time.monotonic() - started
    lines = qemu_run.lines

    if args.log:
        with open(args.log, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))

    reasons = check(args, lines, code)
    if not reasons:
        say(f"PASS: {label}: exit {describe_status(code)}, {len(args.expect)} expected, "
              f"{len(args.forbid)} forbidden, {len(lines)} serial lines, {elapsed:.1f}s")
        return PASS

    say(f"FAIL: {label} ({elapsed:.1f}s)")
    for r in reasons:
        say(f"  - {r}")
    say(f"command: {shlex.join(cmd)}")
    if qemu_run.stderr:
        say("QEMU stderr:")
        for line in qemu_run.stderr[-20:]:
            say(f"  {line}")
    shown = lines[-TAIL_LINES:]
    say(f"serial output ({len(lines)} lines" +
          (f", last {len(shown)}" if len(shown) < len(lines) else "") + "):")
    for line in shown:
        say(f"| {line}")
    return FAIL


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
