// Processes have separate address spaces: two copies of the isolate
// program write different markers to the same addresses and, while
// switching back and forth 50 times, each keeps seeing its own. Every
// page they used is back in the pool afterwards.
#include "gt.h"
#include "pvk/frames.h"
#include "pvk/process.h"

const char test_title[] = "proc_isolation";

void test_main() {
    uint64_t free_before = pvk::frames::free_count();
    auto a = pvk::spawn("isolate", 0xaaaa0000);
    auto b = pvk::spawn("isolate", 0xbbbb0000);
    if (a.is_error() || b.is_error()) return test_error("cannot spawn the isolate programs");
    pvk::run_all();
    const uint32_t pids[] = {a.value(), b.value()};
    for (uint32_t pid : pids) {
        auto r = pvk::reap(pid);
        if (r.is_error()) return test_fail("pid %u has not ended: %s", pid, kstd::error_name(r.error()));
        gt::check(!r.value().killed, "pid %u was killed", pid);
        gt::check_rc(r.value().exit_status, 0, "pid %u's exit status (1: it saw the other's writes)", pid);
    }
    gt::check_eq(pvk::process_count(), 0, "processes left");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after both ended");
    if (gt::failures() == 0) test_pass();
}
