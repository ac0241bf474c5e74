// Events on the bare machine: not supported yet (pvk/events.h). Every
// fallible call says so with Error::nosys; the irq_* helpers keep a flag
// so that code written for pv runs unchanged, and wait() returns at once.
// A LAPIC- or PIT-driven version (one "port" per interrupt source) would
// give the benchmarks a native baseline for event latency.
#include "pvk/events.h"

namespace pvk::events {
namespace {

constinit bool g_masked = true;  // as pv boots: events masked
constinit Stats g_stats = {};

}  // namespace

bool supported() { return false; }
kstd::Result<void> init() { return kstd::Error::nosys; }

kstd::Result<Port> alloc_unbound(uint32_t) { return kstd::Error::nosys; }
kstd::Result<Port> bind_interdomain(uint32_t, Port, Handler, void*) { return kstd::Error::nosys; }
kstd::Result<Port> bind_virq(uint32_t, Handler, void*) { return kstd::Error::nosys; }
kstd::Result<Port> bind_ipi(Handler, void*) { return kstd::Error::nosys; }
kstd::Result<void> set_handler(Port, Handler, void*) { return kstd::Error::nosys; }
kstd::Result<void> send(Port) { return kstd::Error::nosys; }
kstd::Result<void> close(Port) { return kstd::Error::nosys; }
kstd::Result<Status> status(uint32_t, Port) { return kstd::Error::nosys; }

void mask(Port) {}
void unmask(Port) {}
bool is_pending(Port) { return false; }
void clear_pending(Port) {}

bool irqs_masked() { return g_masked; }
void irq_disable() { g_masked = true; }
void irq_enable() { g_masked = false; }

IrqState irq_save() {
    IrqState s{g_masked};
    g_masked = true;
    return s;
}

void irq_restore(IrqState s) { g_masked = s.was_masked; }

uint32_t dispatch_pending() { return 0; }
void wait() {}
kstd::Result<void> poll(const Port*, uint32_t, uint64_t) { return kstd::Error::nosys; }

kstd::Result<Port> timer_init(Handler, void*) { return kstd::Error::nosys; }
kstd::Result<void> timer_arm(uint64_t) { return kstd::Error::nosys; }
kstd::Result<void> sleep_until(uint64_t) { return kstd::Error::nosys; }

const Stats& stats() { return g_stats; }

}  // namespace pvk::events
