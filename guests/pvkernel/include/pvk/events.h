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
kstd::Result<void> send(Port p);
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
bool irqs_masked();
void irq_disable();
void irq_enable();
IrqState irq_save();  // masks; returns the previous state
void irq_restore(IrqState s);

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
void wait();

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

}  // namespace pvk::events
