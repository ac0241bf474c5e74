// Memory back to the hypervisor and back again: free_to_hypervisor(300)
// shrinks the domain's reservation (memory_op current_reservation) by 300
// pages and the pool by as many; reclaim(300) grows both back, and the
// pages regained work (a process that touches many pages runs).
#include <pvisor/hypercall_stubs.h>
#include <pvisor/mm.h>

#include "gt.h"
#include "pvk/balloon.h"
#include "pvk/frames.h"
#include "pvk/process.h"

const char test_title[] = "mm_balloon";

namespace {

int64_t current() { return pv_memory_op(PV_MEMOP_current_reservation, nullptr); }

}  // namespace

void test_main() {
    constexpr uint64_t n = 300;
    int64_t before = current();
    uint64_t free_before = pvk::frames::free_count();
    if (auto r = pvk::balloon::free_to_hypervisor(n); r.is_error())
        return test_fail("free_to_hypervisor: %s", kstd::error_name(r.error()));
    gt::check_rc(current(), before - static_cast<int64_t>(n), "reservation after giving %lu back", n);
    gt::check_eq(pvk::frames::free_count(), free_before - n, "free pages after giving back");
    gt::check_eq(pvk::balloon::ballooned(), n, "pages ballooned");
    gt::check(pvk::balloon::free_to_hypervisor(free_before).is_error(), "giving back more than is free");
    gt::check_rc(current(), before - static_cast<int64_t>(n), "reservation after a refused give-back");

    auto back = pvk::balloon::reclaim(n);
    gt::check(back.is_ok() && back.value() == n, "reclaim(%lu)", n);
    gt::check_rc(current(), before, "reservation after taking them back");
    gt::check_eq(pvk::frames::free_count(), free_before, "free pages after taking back");
    gt::check_eq(pvk::balloon::ballooned(), 0, "pages ballooned at the end");

    // Every free page, the regained ones included, through a process.
    uint64_t pages = pvk::frames::free_count() - 64;
    auto r = pvk::run_program("memtouch", pages);
    gt::check(r.is_ok() && !r.value().killed && r.value().exit_status == 0, "memtouch over %lu pages", pages);
    if (gt::failures() == 0) test_pass();
}
