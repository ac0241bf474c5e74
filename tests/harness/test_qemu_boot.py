#!/usr/bin/env python3
"""Tests of the boot harness (qemu_boot.py) against a fake QEMU (fake_qemu.py)."""

import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
HARNESS = os.path.join(HERE, "qemu_boot.py")
FAKE_QEMU = os.path.join(HERE, "fake_qemu.py")

BOOT = """pvisor 0.1.0 (abi 0.1) booting
pvisor: command line: loglevel=info
pvisor: boot complete
pvisor: shutting down: done
@exit 33
"""


class HarnessTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def image(self, text, name="image.txt"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def assert_dies(self, pid):
        """pid must be gone (or a zombie awaiting its reaper) within 10 s."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        return
            except FileNotFoundError:
                return
            time.sleep(0.1)
        self.fail(f"process {pid} (the fake QEMU's child) survived")

    def run_harness(self, text, *args, kind="--kernel", qemu=FAKE_QEMU):
        cmd = [sys.executable, HARNESS, "--qemu", qemu, kind, self.image(text), *args]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=120)
        return p.returncode, p.stdout

    def test_pass(self):
        code, out = self.run_harness(BOOT, "--expect", r"^pvisor 0\.1\.0", "--expect", "boot complete",
                                     "--forbid", "FATAL", "--name", "good")
        self.assertEqual(code, 0, out)
        self.assertTrue(out.startswith("PASS: good: exit 33 (ok)"), out)
        self.assertEqual(len(out.splitlines()), 1, out)

    def test_missing_expect_fails_with_tail(self):
        code, out = self.run_harness(BOOT, "--expect", "memory map")
        self.assertEqual(code, 1, out)
        self.assertIn("no serial line matches 'memory map'", out)
        self.assertIn("| pvisor: boot complete", out)

    def test_ordered(self):
        args = ["--expect", "boot complete", "--expect", "command line"]
        code, out = self.run_harness(BOOT, *args)
        self.assertEqual(code, 0, out)
        code, out = self.run_harness(BOOT, *args, "--ordered")
        self.assertEqual(code, 1, out)
        self.assertIn("after the previous expected line", out)

    def test_ordered_same_line(self):
        code, out = self.run_harness("RIP=1 RSP=2\nCR2=3\n@exit 63\n", "--ordered",
                                     "--expect", "RIP=", "--expect", "RSP=", "--expect", "CR2=",
                                     "--expect-exit", "panic")
        self.assertEqual(code, 0, out)

    def test_forbid(self):
        code, out = self.run_harness(BOOT + "never\n", "--forbid", "command line")
        self.assertEqual(code, 1, out)
        self.assertIn("serial line 2 matches forbidden 'command line'", out)

    def test_exit_status(self):
        panic = "pvisor: FATAL: boom\n@exit 63\n"
        code, out = self.run_harness(panic)
        self.assertEqual(code, 1, out)
        self.assertIn("QEMU exit status 63 (panic), expected 33 (ok)", out)
        self.assertEqual(self.run_harness(panic, "--expect-exit", "panic")[0], 0)
        self.assertEqual(self.run_harness(panic, "--expect-exit", "63")[0], 0)
        self.assertEqual(self.run_harness(panic, "--expect-exit", "any")[0], 0)
        self.assertEqual(self.run_harness("@exit 35\n", "--expect-exit", "fail")[0], 0)
        code, out = self.run_harness("@exit 7\n", "--expect-exit", "0x7")
        self.assertEqual(code, 0, out)

    def test_acpi_without_debug_exit(self):
        code, out = self.run_harness("@args\n@exit 0\n", "--no-debug-exit", "--forbid", "isa-debug-exit")
        self.assertEqual(code, 0, out)
        code, out = self.run_harness("@args\n@exit 0\n", "--expect", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                                     "--expect-exit", "acpi")
        self.assertEqual(code, 0, out)

    def test_machine_line(self):
        code, out = self.run_harness("@args\n@exit 33\n", "--append", "loglevel=debug crash=pf",
                                     "--initrd", "a.elf x,b.elf", "--smp", "2", "--icount",
                                     "--mem", "64M", "--extra-arg=-d", "--extra-arg", "int",
                                     "--expect", r"-machine pc -accel tcg -m 64M -nodefaults -display none -no-reboot",
                                     "--expect", r" -smp 2 ", "--expect", r"-icount shift=0,sleep=off",
                                     "--expect", r"-kernel \S+ -append 'loglevel=debug crash=pf' -initrd 'a.elf x,b.elf'",
                                     "--expect", r" -d int$")
        self.assertEqual(code, 0, out)

    def test_iso(self):
        code, out = self.run_harness("@args\n@exit 33\n", "--expect", r"-cdrom \S+image.txt -boot d$",
                                     kind="--iso")
        self.assertEqual(code, 0, out)

    def test_iso_rejects_append(self):
        code, out = self.run_harness("@exit 33\n", "--append", "x", kind="--iso")
        self.assertEqual(code, 2, out)

    def test_timeout_kills_process_group(self):
        started = time.monotonic()
        code, out = self.run_harness("hello\n@spawn-hang\n", "--timeout", "2")
        self.assertEqual(code, 1, out)
        self.assertLess(time.monotonic() - started, 60, out)
        self.assertIn("timed out after 2s", out)
        # The fake's child was in QEMU's process group: it must be gone too.
        self.assert_dies(int(out.split("CHILD: ")[1].split()[0]))

    def test_sigterm_kills_qemu(self):
        # meson test stops a test on its own timeout with SIGTERM; QEMU runs in
        # its own session, so the harness must take it down itself.
        cmd = [sys.executable, HARNESS, "--qemu", FAKE_QEMU, "--kernel", self.image("@spawn-hang\n"),
               "--stream", "--timeout", "600"]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        line = p.stdout.readline()
        self.assertTrue(line.startswith("CHILD: "), line)
        pid = int(line.split()[1])
        p.terminate()
        self.assertEqual(p.wait(timeout=60), 128 + 15)
        p.stdout.close()
        self.assert_dies(pid)

    def test_stream_reader_gone(self):
        # ./run ... | head: the harness must keep draining QEMU's output (or
        # QEMU blocks on a full pipe) and still exit with the verdict.
        cmd = [sys.executable, HARNESS, "--qemu", FAKE_QEMU, "--kernel", self.image("@many 200000\n@exit 33\n"),
               "--stream", "--timeout", "100", "--expect", "^line 200000$"]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        p.stdout.readline()
        p.stdout.close()
        self.assertEqual(p.wait(timeout=120), 0)

    def test_qemu_missing_skips(self):
        code, out = self.run_harness(BOOT, qemu="/nonexistent/qemu-system-x86_64")
        self.assertEqual(code, 77, out)
        self.assertIn("SKIP", out)

    def test_require_skips(self):
        code, out = self.run_harness(BOOT, "--require", "no-such-tool-pvisor")
        self.assertEqual(code, 77, out)
        self.assertEqual(self.run_harness(BOOT, "--require", "sh")[0], 0)

    def test_missing_image_is_error(self):
        cmd = [sys.executable, HARNESS, "--qemu", FAKE_QEMU, "--kernel", os.path.join(self.tmp.name, "nope")]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 99, p.stdout)

    def test_log_and_line_cleanup(self):
        log = os.path.join(self.tmp.name, "serial.log")
        code, out = self.run_harness("@crlf with cr\n@bytes 6261640aff0a\n@exit 33\n", "--log", log,
                                     "--expect", "^with cr$", "--expect", "^bad$")
        self.assertEqual(code, 0, out)
        with open(log, encoding="utf-8") as f:
            self.assertEqual(f.read(), "with cr\nbad\n\ufffd\n")

    def test_tail_is_limited(self):
        code, out = self.run_harness("@many 200\n@exit 33\n", "--expect", "nothing like this")
        self.assertEqual(code, 1, out)
        self.assertIn("serial output (200 lines, last 80):", out)
        self.assertIn("| line 200", out)
        self.assertNotIn("| line 120\n", out)
        self.assertIn("| line 121\n", out)

    def test_qemu_stderr_reported(self):
        code, out = self.run_harness("@stderr qemu: could not load kernel\n@exit 1\n")
        self.assertEqual(code, 1, out)
        self.assertIn("qemu: could not load kernel", out)
        self.assertIn("QEMU exit status 1, expected 33 (ok)", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
