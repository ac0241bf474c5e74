// Demand-zero memory: the memtouch program grows its heap by 300 pages
// and recurses 64 pages deep into its stack, every new page reading as
// zero, shrinks and regrows the heap (zero again); the kernel maps each
// page on the first touch. A touch of memory that is not the process's
// (below the image) still kills it. No page is lost.
#include "gt.h"
#include "pvk/frames.h"
#include "pvk/process.h"
#include "pvk/trap_frame.h"

const char test_title[] = "proc_demand_zero";

void test_main() {
    uint64_t free_before = pvk::frames::free_count();
    auto r = pvk::run_program("memtouch", 300);
    if (r.is_error()) return test_error("cannot run memtouch: %s", kstd::error_name(r.error()));
    gt::check(!r.value().killed, "memtouch was killed");
    gt::check_rc(r.value().exit_status, 0, "memtouch's exit status (the failed check)");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after memtouch");

    auto f = pvk::run_program("fault", 5);  // writes to 0x10000, below user memory
    if (f.is_error()) return test_error("cannot run fault: %s", kstd::error_name(f.error()));
    gt::check(f.value().killed && f.value().fault.vector == pvk::vec_pf, "a write below user memory is a #PF");
    gt::check_eq(f.value().fault.fault_address, 0x10000, "its fault address");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after the killed program");
    if (gt::failures() == 0) test_pass();
}
