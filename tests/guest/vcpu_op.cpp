// vcpu_op: a domain with three vCPUs (module option vcpus=3). vCPU 1 is
// initialised with its own stack and entry point, brought up, counts to
// a number in memory shared with vCPU 0, and takes itself down; vCPU 0
// waits for it by yielding. Refusals: a vCPU beyond nr_vcpus (ESRCH),
// initialising twice (EEXIST), up before initialise (EINVAL), entry points
// in the hypervisor's range or non-canonical (EINVAL), non-zero reserved
// fields (EINVAL), an unreadable context (EFAULT), unknown commands
// (ENOSYS). is_up follows up and down, and the start-info reports three.
#include <pvisor/sched.h>
#include <pvisor/vcpu.h>

#include "gt.h"
#include "pv.h"
#include "pvk/kprintf.h"

const char test_title[] = "vcpu_op";

namespace {

constexpr uint64_t rounds = 1000;

alignas(16) uint8_t g_stack1[16384];
volatile uint64_t g_counter = 0;
volatile uint64_t g_seen_rsi = 0;

// vCPU 1 runs this with nothing of pvkernel set up for it (no trap table
// of its own): it touches only memory and hypercalls.
extern "C" [[noreturn]] void vcpu1_main(uint64_t, uint64_t rsi) {
    g_seen_rsi = rsi;
    for (uint64_t i = 0; i < rounds; ++i) {
        g_counter = g_counter + 1;
        if (i % 100 == 0) pv_sched_op(PV_SCHEDOP_yield, 0);
    }
    pv_vcpu_op(PV_VCPUOP_down, 1, 0);
    for (;;) pv_sched_op(PV_SCHEDOP_yield, 0);  // only if brought up again
}

// The entry: rsi holds the context's rsi; move it where C expects the
// second argument and keep the stack 16-byte aligned for the call.
extern "C" void vcpu1_entry();
asm(R"(
    .text
    .global vcpu1_entry
vcpu1_entry:
    and $-16, %rsp
    xor %edi, %edi
    call vcpu1_main
    ud2
)");

pv_vcpu_context context_for(uint64_t rip, uint64_t rsp) {
    pv_vcpu_context c{};
    c.rip = rip;
    c.rsp = rsp;
    c.rsi = 0x5151;
    return c;
}

}  // namespace

void test_main() {
    gt::check_eq(pvk::pv::start_info().nr_vcpus, 3, "start_info nr_vcpus");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 0, 0), 1, "vCPU 0 is up");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 1, 0), 0, "vCPU 1 starts down");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 3, 0), -PV_ESRCH, "vCPU 3 of 3");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, ~uint64_t{0}, 0), -PV_ESRCH, "vCPU ~0");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_up, 2, 0), -PV_EINVAL, "up before initialise");
    gt::check_rc(pv_vcpu_op(99, 1, 0), -PV_ENOSYS, "unknown command");

    auto entry = reinterpret_cast<uint64_t>(&vcpu1_entry);
    auto stack_top = reinterpret_cast<uint64_t>(g_stack1 + sizeof g_stack1);
    pv_vcpu_context bad = context_for(gt::hv_first, stack_top);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 2, PV_PTR_ARG(&bad)), -PV_EINVAL, "rip in the hypervisor");
    bad = context_for(gt::non_canonical, stack_top);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 2, PV_PTR_ARG(&bad)), -PV_EINVAL, "non-canonical rip");
    bad = context_for(entry, gt::hv_direct_map);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 2, PV_PTR_ARG(&bad)), -PV_EINVAL, "rsp in the hypervisor");
    bad = context_for(entry, stack_top);
    bad.reserved[4] = 1;
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 2, PV_PTR_ARG(&bad)), -PV_EINVAL, "reserved field");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 2, gt::unmapped_va()), -PV_EFAULT, "unreadable context");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_up, 2, 0), -PV_EINVAL, "refused initialise left vCPU 2 uninitialised");

    pv_vcpu_context c = context_for(entry, stack_top);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 1, PV_PTR_ARG(&c)), 0, "initialise vCPU 1");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_initialise, 1, PV_PTR_ARG(&c)), -PV_EEXIST, "initialise twice");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 1, 0), 0, "initialised but not up");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_up, 1, 0), 0, "up vCPU 1");
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 1, 0), 1, "vCPU 1 is up");

    // Wait for vCPU 1 to count and take itself down; both run in turn on
    // one physical CPU, so yield.
    for (int i = 0; i < 100000 && pv_vcpu_op(PV_VCPUOP_is_up, 1, 0) == 1; ++i) pv_sched_op(PV_SCHEDOP_yield, 0);
    gt::check_rc(pv_vcpu_op(PV_VCPUOP_is_up, 1, 0), 0, "vCPU 1 took itself down");
    gt::check_eq(g_counter, rounds, "vCPU 1's count");
    gt::check_eq(g_seen_rsi, 0x5151, "vCPU 1's rsi");
    pvk::kprintf("vcpu_op: vCPU 1 counted to %lu and went down\n", g_counter);
    if (gt::failures() == 0) test_pass();
}
