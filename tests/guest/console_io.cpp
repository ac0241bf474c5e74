// console_io: writes return the count, the limits and unknown commands are
// refused, reading needs privilege, and what reaches the hypervisor console
// is filtered. Booted twice, as dom0 (privileged) and dom1 (not): each
// checks the rules for its own privilege.
#include <pvisor/console.h>

#include <kstd/format.h>

#include "gt.h"
#include "pvk/boot_info.h"
#include "pvk/kprintf.h"

const char test_title[] = "console_io";

namespace {

constinit char g_buf[PV_CONSOLEIO_MAX + 1] = {};

int64_t write(const char* s, uint64_t n) { return pv_console_io(PV_CONSOLEIO_write, n, const_cast<char*>(s)); }

}  // namespace

void test_main() {
    bool privileged = pvk::boot_info().privileged;
    uint32_t domid = pvk::boot_info().domid;
    pvk::kprintf("console_io: domain %u, %sprivileged\n", domid, privileged ? "" : "not ");

    static const char line[] = "console_io: a plain line\n";
    gt::check_rc(write(line, sizeof line - 1), sizeof line - 1, "write returns its count");

    // Filtering: control bytes other than tab become '?', \r is dropped,
    // bytes from 0x80 pass. The meson test checks the printed line.
    static const char ctl[] = "console_io: ctl [\x1b[31m\x07\x7f\t\r\xc3\xa9]\n";
    gt::check_rc(write(ctl, sizeof ctl - 1), sizeof ctl - 1, "write with control bytes returns its count");

    // Partial lines are buffered until the newline, across calls.
    gt::check_rc(write("console_io: split ", 18), 18, "first half of a line");
    gt::check_rc(write("line\n", 5), 5, "second half of a line");

    // Each domain has its own line buffer: half a line, a yield (the other
    // domain runs and prints), the other half.
    char part[64];
    size_t len = kstd::format(part, sizeof part, "console_io: d%u before the yield, ", domid);
    gt::check_rc(write(part, len), static_cast<int64_t>(len), "first half of a line across a yield");
    gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield");
    gt::check_rc(write("after it\n", 9), 9, "second half of a line across a yield");

    // A line longer than 159 bytes is broken at 159.
    for (char& c : g_buf) c = 'L';
    gt::check_rc(write(g_buf, 200), 200, "200-byte line");
    gt::check_rc(write("\n", 1), 1, "newline after the long line");

    // The largest write is accepted, one more byte is not. Mostly \r,
    // which the console drops, so that it prints one short line.
    static const char head[] = "console_io: largest write";
    for (size_t i = 0; i < PV_CONSOLEIO_MAX; ++i) g_buf[i] = i < sizeof head - 1 ? head[i] : '\r';
    g_buf[PV_CONSOLEIO_MAX - 1] = '\n';
    gt::check_rc(write(g_buf, PV_CONSOLEIO_MAX), PV_CONSOLEIO_MAX, "write of PV_CONSOLEIO_MAX bytes");
    gt::check_rc(write(g_buf, PV_CONSOLEIO_MAX + 1), -PV_E2BIG, "write of PV_CONSOLEIO_MAX + 1 bytes");
    gt::check_rc(write(g_buf, ~uint64_t{0}), -PV_E2BIG, "write of 2^64 - 1 bytes");
    gt::check_rc(pv_console_io(PV_CONSOLEIO_read, PV_CONSOLEIO_MAX + 1, g_buf), -PV_E2BIG,
                 "read of PV_CONSOLEIO_MAX + 1 bytes");

    // Unknown commands, including ones that differ from a valid one only in
    // the upper bits.
    gt::check_rc(pv_console_io(2, 1, g_buf), -PV_ENOSYS, "command 2");
    gt::check_rc(pv_console_io(uint64_t{1} << 32, 1, g_buf), -PV_ENOSYS, "command 2^32 (write + 2^32)");
    gt::check_rc(pv_console_io(~uint64_t{0}, 1, g_buf), -PV_ENOSYS, "command 2^64 - 1");
    // The command is checked before the count.
    gt::check_rc(pv_console_io(7, PV_CONSOLEIO_MAX + 1, g_buf), -PV_ENOSYS, "bad command and bad count");

    // count 0 returns 0 without looking at the buffer, for either command.
    gt::check_rc(pv_console_io(PV_CONSOLEIO_write, 0, reinterpret_cast<void*>(gt::hv_direct_map)), 0,
                 "write of 0 bytes from a hypervisor address");
    gt::check_rc(pv_console_io(PV_CONSOLEIO_read, 0, reinterpret_cast<void*>(gt::non_canonical)), 0,
                 "read of 0 bytes into a non-canonical address");

    if (privileged) {
        // stdin is /dev/null under the harness: nothing pending, but the
        // read is allowed.
        int64_t rc = pv_console_io(PV_CONSOLEIO_read, 16, g_buf);
        gt::check(rc >= 0 && rc <= 16, "dom0 console read returned %ld", rc);
    } else {
        gt::check_rc(pv_console_io(PV_CONSOLEIO_read, 16, g_buf), -PV_EPERM, "unprivileged console read");
        gt::check_rc(pv_console_io(PV_CONSOLEIO_read, 1, g_buf), -PV_EPERM, "unprivileged 1-byte read");
        // The range check comes before the privilege check.
        gt::check_rc(pv_console_io(PV_CONSOLEIO_read, 16, reinterpret_cast<void*>(gt::non_canonical)), -PV_EFAULT,
                     "unprivileged read into a non-canonical buffer");
    }
    test_pass();
}
