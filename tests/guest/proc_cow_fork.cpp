// Copy-on-write fork: forktest's parent and child write the same global,
// heap and stack variables and each sees only its own writes; the child's
// status reaches the parent through wait. Also fork+exit repeated, which
// must leave no page behind.
#include "gt.h"
#include "pvk/frames.h"
#include "pvk/process.h"

const char test_title[] = "proc_cow_fork";

void test_main() {
    uint64_t free_before = pvk::frames::free_count();
    auto r = pvk::run_program("forktest", 0);
    if (r.is_error()) return test_error("cannot run forktest: %s", kstd::error_name(r.error()));
    gt::check(!r.value().killed, "forktest was killed");
    gt::check_rc(r.value().exit_status, 0, "forktest's exit status (the failed check)");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after forktest");

    auto f = pvk::run_program("forkexit", 200);
    if (f.is_error()) return test_error("cannot run forkexit: %s", kstd::error_name(f.error()));
    gt::check_rc(f.value().exit_status, 0, "forkexit's exit status");
    gt::check_eq(pvk::process_count(), 0, "processes left");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after 200 fork+exit");
    if (gt::failures() == 0) test_pass();
}
