// sched_op: yield returns 0; block returns at once (and unmasks events)
// when an event is already pending; bad shutdown reasons and unknown
// commands are refused; and shutdown ends the domain with the reason it
// names (reason=N on the command line, default poweroff), which the
// hypervisor reports. The test prints its own PASS line before the
// shutdown, which must not return. With `block` on the command line it
// instead blocks with nothing pending, for good: the hypervisor must notice
// when every live domain is blocked.
#include "gt.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"

const char test_title[] = "sched_op";

void test_main() {
    for (int i = 0; i < 10; ++i) gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, 0), 0, "yield %d", i);
    gt::check_rc(pv_sched_op(PV_SCHEDOP_yield, ~uint64_t{0}), 0, "yield ignores arg");

    // block with an event pending: returns 0 at once, events unmasked.
    volatile pv_vcpu_info& vi = gt::vcpu_info();
    uint8_t saved_mask = vi.upcall_mask;
    vi.upcall_mask = 1;
    vi.upcall_pending = 1;
    gt::check_rc(pv_sched_op(PV_SCHEDOP_block, 0), 0, "block with an event pending");
    gt::check_eq(vi.upcall_mask, 0, "upcall_mask after block");
    vi.upcall_pending = 0;
    vi.upcall_mask = saved_mask;

    const uint64_t bad_reasons[] = {PV_SHUTDOWN_crash + 1, 0xff, uint64_t{1} << 32, ~uint64_t{0}};
    for (uint64_t r : bad_reasons)
        gt::check_rc(pv_sched_op(PV_SCHEDOP_shutdown, r), -PV_EINVAL, "shutdown with reason %#lx", r);
    const uint64_t bad_cmds[] = {PV_SCHEDOP_poll + 1, 0xffff, uint64_t{1} << 32, (uint64_t{1} << 32) | PV_SCHEDOP_shutdown, ~uint64_t{0}};
    for (uint64_t c : bad_cmds) gt::check_rc(pv_sched_op(c, 0), -PV_ENOSYS, "command %#lx", c);

    if (gt::failures() != 0) return;
    if (pvk::cmdline_has("block")) {
        pvk::kprintf("sched_op: blocking with nothing pending\n");
        int64_t rc = pv_sched_op(PV_SCHEDOP_block, 0);
        test_fail("block with nothing pending returned %ld", rc);
        return;
    }
    uint64_t reason = pvk::cmdline_u64("reason", PV_SHUTDOWN_poweroff);
    pvk::kprintf("pvk-test: %s: PASS\n", test_title);
    int64_t rc = pv_sched_op(PV_SCHEDOP_shutdown, reason);
    test_fail("shutdown(%lu) returned %ld", reason, rc);
}
