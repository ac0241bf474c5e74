// Hypercall dispatch. Each hypercall decodes its raw arguments into a
// typed view and validates all of it (ranges, alignment, canonical
// addresses, rights, state) before it changes anything, so a rejected call
// leaves no trace (STYLE.md, "decode, then invoke").
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/domain.h"
#include "core/evtchn.h"
#include "core/guest_access.h"
#include "core/guest_regs.h"
#include "core/vcpu.h"
#include "kstd/result.h"

namespace core {

// Services the hypercalls need from the rest of the hypervisor. The
// hypervisor implements them on the real machine; unit tests with fakes.
class HypercallHooks {
public:
    // Writes one finished console line from a domain.
    virtual void console_line(const Domain& d, const char* line) = 0;
    // Reads pending console input; returns bytes read.
    virtual size_t console_read(char* buf, size_t len) = 0;
    // Makes a segment-base change take effect if it concerns the live mode.
    virtual void segment_base_changed(Vcpu& v) = 0;
    // Gives up the CPU; returns when the vCPU runs again.
    virtual void yield(Vcpu& v) = 0;
    // Sleeps until an event is pending for v; returns when it runs again.
    virtual void block(Vcpu& v) = 0;
    // The domain has just shut down or crashed: stop running it. Does not
    // return when d is the caller's own domain.
    virtual void domain_ended(Domain& d) = 0;
    // Crashes the calling vCPU's domain; does not return.
    [[noreturn]] virtual void crash_current(const char* why) = 0;
    // A build identification string for the version hypercall.
    virtual const char* build_string() = 0;

    // Events, timers and domain control. The defaults say the environment
    // has none of it (unit-test fakes that do not need them).
    virtual EvtchnTable* evtchn_table(Domain&) { return nullptr; }
    virtual DomainLookup* domain_lookup() { return nullptr; }
    virtual EventSink* event_sink() { return nullptr; }
    virtual uint64_t now_ns() { return 0; }
    // One-shot timer at an absolute system time (0 cancels).
    virtual kstd::Result<void> set_singleshot_timer(Vcpu&, uint64_t) { return kstd::Error::nosys; }
    // Sleeps until one of `ports` is pending or system time `timeout`
    // (0: none); returns when the vCPU runs again.
    virtual kstd::Result<void> poll(Vcpu&, const uint32_t*, uint32_t, uint64_t) { return kstd::Error::nosys; }
    virtual Domain* find_domain(pv_domid_t) { return nullptr; }
    virtual kstd::Result<void> pause_domain(Domain&) { return kstd::Error::nosys; }
    virtual kstd::Result<void> unpause_domain(Domain&) { return kstd::Error::nosys; }
    virtual kstd::Result<void> set_sched_params(Domain&, uint32_t, uint32_t) { return kstd::Error::nosys; }
    virtual kstd::Result<void> get_sched_params(Domain&, uint32_t*, uint32_t*) { return kstd::Error::nosys; }
    // vCPUs: give v its first registers (a hypervisor stack holding them),
    // make it runnable, stop it (returns when it is up again if v is the
    // caller), and its periodic timer (0 stops it).
    virtual kstd::Result<void> vcpu_initialise(Vcpu&, const GuestRegs&) { return kstd::Error::nosys; }
    virtual kstd::Result<void> vcpu_up(Vcpu&) { return kstd::Error::nosys; }
    virtual kstd::Result<void> vcpu_down(Vcpu&) { return kstd::Error::nosys; }
    virtual kstd::Result<void> set_periodic_timer(Vcpu&, uint64_t) { return kstd::Error::nosys; }

protected:
    ~HypercallHooks() = default;
};

struct HypercallContext {
    HypercallContext(Vcpu& v, Domain& d, GuestRegs& r, GuestAccess& m, HypercallHooks& h)
        : vcpu(v), domain(d), regs(r), mem(m), hooks(h) {}

    Vcpu& vcpu;
    Domain& domain;
    GuestRegs& regs;
    GuestAccess& mem;
    HypercallHooks& hooks;
    // Set by a hypercall that rewrote the guest's registers itself (iret):
    // the dispatcher then leaves rax alone.
    bool regs_replaced = false;
    // Set when the call must crash the calling domain (an iret it cannot
    // honour); the message says why.
    const char* crash_reason = nullptr;
};

using HypercallResult = int64_t;  // >= 0 success, -PV_E* error

// Dispatches the hypercall in regs.rax with arguments rdi, rsi, rdx, r10,
// r8, and stores the result in regs.rax.
void hypercall_dispatch(HypercallContext& ctx);

// The hypervisor's entry: dispatches for v, and crashes v's domain through
// hooks.crash_current if the call demands it.
void hypercall_entry(Vcpu& v, GuestRegs& regs, GuestAccess& mem, HypercallHooks& hooks);

// The handlers, one per entry of hypercalls.toml.
HypercallResult hc_console_io(HypercallContext& ctx, uint64_t cmd, uint64_t count, uint64_t buffer);
HypercallResult hc_set_trap_table(HypercallContext& ctx, uint64_t table, uint64_t count);
HypercallResult hc_stack_switch(HypercallContext& ctx, uint64_t kernel_rsp);
HypercallResult hc_iret(HypercallContext& ctx);
HypercallResult hc_set_segment_base(HypercallContext& ctx, uint64_t which, uint64_t base);
HypercallResult hc_callback_op(HypercallContext& ctx, uint64_t cmd, uint64_t callback);
HypercallResult hc_version(HypercallContext& ctx, uint64_t cmd, uint64_t arg);
HypercallResult hc_sched_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg);
// Memory management (hc_mm.cpp) and batches (hc_multicall.cpp).
HypercallResult hc_mmu_update(HypercallContext& ctx, uint64_t reqs, uint64_t count, uint64_t done);
HypercallResult hc_mmuext_op(HypercallContext& ctx, uint64_t ops, uint64_t count, uint64_t done);
HypercallResult hc_update_va_mapping(HypercallContext& ctx, uint64_t va, uint64_t val, uint64_t flags);
HypercallResult hc_memory_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg);
HypercallResult hc_multicall(HypercallContext& ctx, uint64_t calls, uint64_t count);

inline HypercallResult hc_error(kstd::Error e) { return kstd::to_hypercall_ret(e); }

// Events, timers and domain control (hc_event.cpp).
HypercallResult hc_event_channel_op(HypercallContext& ctx, uint64_t cmd, uint64_t arg);
HypercallResult hc_set_timer_op(HypercallContext& ctx, uint64_t timeout);
HypercallResult hc_domctl(HypercallContext& ctx, uint64_t cmd, uint64_t domid, uint64_t arg);
HypercallResult hc_vcpu_op(HypercallContext& ctx, uint64_t cmd, uint64_t vcpu, uint64_t arg);

}  // namespace core
