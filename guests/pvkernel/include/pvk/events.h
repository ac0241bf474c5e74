// Events: pvkernel's interrupts. On pvisor they are event channels
// (pvisor/event_channel.h): one-bit notifications that the hypervisor
// delivers as an upcall, which scans the pending bits and calls the
// handler bound to each port. The "interrupt flag" is the event mask of
// the vCPU (irq_* below), and idling is a block hypercall, not a spin.
//
// The native platform has no event channels yet: supported() is false,
// every fallible call returns Error::nosys, the irq_* helpers only track a
// flag, and wait() returns at once (so wait loops spin). A LAPIC-driven
// equivalent is future work.
//
// Rules:
//  - Handlers run with events masked, on the stack of whatever the upcall
//    interrupted (or on the user-exit stack if it interrupted user mode).
//    They must not block or wait.
//  - Everything here is for one vCPU, the only one a domain has today.
#pragma once

#include <stdint.h>

#include <kstd/result.h>

#if defined(PVK_PLATFORM_PV)
#include <pvisor/event_channel.h>
#include <pvisor/hypercall_stubs.h>
#include <pvisor/sched.h>
#include <pvisor/shared_info.h>

namespace pvk::pv {
// The shared page (platform/pv/boot.cpp), mapped for the domain's life.
// Its symbol has a plain name for the upcall's assembly (event_entry.S).
extern volatile pv_shared_info* g_shared_info asm("pvk_pv_shared_info");
}  // namespace pvk::pv
#endif

namespace pvk::events {

using Port = uint32_t;
using Handler = void (*)(Port port, void* arg);

// Ports at or above this have no handler slot; binding one is refused
// (the port is closed again and the call returns Error::range).
inline constexpr Port max_ports = 1024;

enum class PortState : uint8_t { closed, unbound, interdomain, virq, ipi };

struct Status {
    PortState state;
    uint32_t remote_dom;   // unbound, interdomain
    uint32_t remote_port;  // interdomain
    uint32_t virq;         // virq
    uint32_t vcpu;
};

struct Stats {
    uint64_t upcalls;    // upcall entries (or dispatch_pending calls that found work)
    uint64_t handled;    // ports dispatched to a handler
    uint64_t unhandled;  // pending ports without a handler (cleared, dropped)
};

// Whether this platform has events at all.
bool supported();

// Registers the upcall entry with the hypervisor; idempotent. Leaves the
// event mask as it is (pvkernel boots with events masked).
kstd::Result<void> init();

// ---------------------------------------------------------------- ports
// Each binding call returns the new local port with its handler installed
// (h may be null: the port's events are then counted as unhandled).
kstd::Result<Port> alloc_unbound(uint32_t remote_dom);
kstd::Result<Port> bind_interdomain(uint32_t remote_dom, Port remote_port, Handler h, void* arg);
kstd::Result<Port> bind_virq(uint32_t virq, Handler h, void* arg);
kstd::Result<Port> bind_ipi(Handler h, void* arg);
// Installs or replaces the handler of a port (e.g. one from alloc_unbound).
kstd::Result<void> set_handler(Port p, Handler h, void* arg);
#if defined(PVK_PLATFORM_PV)
// Inline on pv (below): a send is one hypercall.
inline kstd::Result<void> send(Port p);
#else
kstd::Result<void> send(Port p);
#endif
// Closes the port and forgets its handler.
kstd::Result<void> close(Port p);
kstd::Result<Status> status(uint32_t dom, Port p);

// Per-port mask. unmask() follows the ABI's protocol: clear the mask bit,
// then if the port is already pending ask the hypervisor to deliver it.
void mask(Port p);
void unmask(Port p);
bool is_pending(Port p);
void clear_pending(Port p);

// ---------------------------------------------------------------- the irq flag
// The vCPU-wide event mask, the virtual interrupt flag. Re-enabling
// checks for an event that came in while masked and has it delivered.
struct IrqState {
    bool was_masked;
};
#if defined(PVK_PLATFORM_PV)
// On pv these are a byte store and a check of the shared page (the vCPU's
// upcall_mask and upcall_pending, SPEC.md section 7), so they are inline.
namespace pv_detail {
inline volatile pv_vcpu_info& vcpu0() { return pv::g_shared_info->vcpu[0]; }
// Any hypercall returns through the hypervisor's upcall check; version is
// the cheapest (event_dispatch.cpp).
void force_upcall();
}  // namespace pv_detail

inline bool irqs_masked() { return pv_detail::vcpu0().upcall_mask != 0; }

inline void irq_disable() {
    pv_detail::vcpu0().upcall_mask = 1;
    // A compiler barrier: nothing after may move above the mask.
    asm volatile("" ::: "memory");
}

// The virtual sti: store 0 to the mask, then read upcall_pending. A
// compiler barrier is enough between the two (SPEC.md section 7: the kick
// covers a pending flag the load misses).
inline void irq_enable() {
    asm volatile("" ::: "memory");
    volatile pv_vcpu_info& vi = pv_detail::vcpu0();
    vi.upcall_mask = 0;
    asm volatile("" ::: "memory");
    if (vi.upcall_pending != 0) [[unlikely]]
        pv_detail::force_upcall();
}

inline IrqState irq_save() {
    IrqState s{irqs_masked()};
    irq_disable();
    return s;
}

inline void irq_restore(IrqState s) {
    if (!s.was_masked) irq_enable();
}
#else
bool irqs_masked();
void irq_disable();
void irq_enable();
IrqState irq_save();  // masks; returns the previous state
void irq_restore(IrqState s);
#endif

class IrqGuard {
public:
    IrqGuard() : saved_(irq_save()) {}
    ~IrqGuard() { irq_restore(saved_); }
    IrqGuard(const IrqGuard&) = delete;
    IrqGuard& operator=(const IrqGuard&) = delete;

private:
    IrqState saved_;
};

// ---------------------------------------------------------------- dispatch and waiting
// Handles every pending, unmasked port now, as the upcall does. Call with
// events masked; for kernels that poll instead of taking upcalls. Returns
// the number of ports handled.
uint32_t dispatch_pending();

// Sleeps until an event arrives and its handlers have run. Call with
// events masked, after checking the condition you wait for (the block
// unmasks atomically, so an event in between is not slept through);
// returns with events masked again.
#if defined(PVK_PLATFORM_PV)
inline void wait();
#else
void wait();
#endif

// Waits until done() is true, testing it with events masked.
template <typename Pred>
void wait_until(Pred done) {
    IrqGuard g;
    while (!done()) wait();
}

// Sleeps until one of the ports is pending or the system time reaches
// timeout_ns (0: no timeout). Does not clear or dispatch anything.
kstd::Result<void> poll(const Port* ports, uint32_t n, uint64_t timeout_ns);

// ---------------------------------------------------------------- time
// The vCPU's one-shot timer: binds VIRQ_TIMER (once) with handler h, which
// runs when the timer fires; h may be null.
kstd::Result<Port> timer_init(Handler h, void* arg);
// Arms the timer for an absolute system time (platform::uptime_ns); 0
// cancels. Binds the timer first if timer_init was not called.
kstd::Result<void> timer_arm(uint64_t deadline_ns);
// Blocks (never spins) until uptime_ns() >= deadline_ns, using the timer.
// Replaces any deadline armed before.
kstd::Result<void> sleep_until(uint64_t deadline_ns);

const Stats& stats();

#if defined(PVK_PLATFORM_PV)
inline kstd::Result<void> send(Port p) {
    int64_t rc = pv_event_channel_op(PV_EVTCHNOP_send, p);
    if (rc < 0) [[unlikely]]
        return static_cast<kstd::Error>(-rc);
    return kstd::ok();
}

inline void wait() {
    // block unmasks and sleeps unless an upcall is pending; the return to
    // us delivers it, so the handlers have run when it returns.
    (void)pv_sched_op(PV_SCHEDOP_block, 0);
    irq_disable();
    // Without an upcall callback the pending ports are still there.
    if (pv_detail::vcpu0().upcall_pending != 0) [[unlikely]]
        (void)dispatch_pending();
}
#endif

}  // namespace pvk::events
