// The events demo (command line `demo_events=N` on dom0 and `demo_events`
// on each of N guests): every guest binds an interdomain channel that dom0
// offered it, then spins for a fixed stretch of system time and sends dom0
// a progress event every so often. dom0 counts the events per guest and
// learns that a guest has ended from PV_VIRQ_DOM_EXC (and then from the
// hypervisor, which no longer knows the guest's id). With
// different weights (module option weight=) the guests' iteration counts
// show the proportional share of the CPU.
#include "pvk/demo_events.h"

#include <pvisor/event_channel.h>

#include "pvk/boot_info.h"
#include "pvk/cmdline.h"
#include "pvk/events.h"
#include "pvk/kprintf.h"
#include "pvk/platform.h"

namespace pvk {
namespace {

constexpr uint32_t max_guests = 16;
constexpr uint64_t spin_ns = 200'000'000;      // each guest spins this long
constexpr uint64_t report_every = 1u << 16;    // iterations between events

struct GuestRecord {
    events::Port port = 0;
    uint64_t progress = 0;
    bool ended = false;
};

GuestRecord g_guests[max_guests + 1];
uint32_t g_nguests = 0;
volatile bool g_dom_exc = false;

void on_progress(events::Port, void* arg) { ++g_guests[reinterpret_cast<uintptr_t>(arg)].progress; }
void on_dom_exc(events::Port, void*) { g_dom_exc = true; }

// After a DOM_EXC: which guests have ended, by asking the hypervisor. (The
// guest's channel to us went back to unbound at the same moment, but a
// guest may bind and end between two of our looks, so the channel alone
// cannot tell.)
uint32_t scan_ended() {
    uint32_t ended = 0;
    for (uint32_t g = 1; g <= g_nguests; ++g) {
        GuestRecord& r = g_guests[g];
        if (!r.ended && platform::domain_ended(g)) r.ended = true;
        ended += r.ended ? 1 : 0;
    }
    return ended;
}

void run_dom0(uint32_t n) {
    g_nguests = n > max_guests ? max_guests : n;
    for (uint32_t g = 1; g <= g_nguests; ++g) {
        kstd::Result<events::Port> p = events::alloc_unbound(g);
        if (p.is_error()) {
            kprintf("dom0: cannot offer a channel to domain %u: %s\n", g, kstd::error_name(p.error()));
            return;
        }
        g_guests[g].port = p.value();
        (void)events::set_handler(p.value(), on_progress, reinterpret_cast<void*>(uintptr_t{g}));
    }
    if (events::bind_virq(PV_VIRQ_DOM_EXC, on_dom_exc, nullptr).is_error()) {
        kprintf("dom0: cannot bind VIRQ_DOM_EXC\n");
        return;
    }
    kprintf("dom0: offered channels to %u guests; waiting for them to finish\n", g_nguests);
    // Sleep until every guest has ended; events wake us (progress reports,
    // counted by their handler, and DOM_EXC), nothing spins. The flag the
    // DOM_EXC handler sets is tested with events masked (wait_until), so
    // an end that comes while we scan is not slept through.
    uint32_t ended = 0;
    while (ended < g_nguests) {
        events::wait_until([] { return g_dom_exc; });
        g_dom_exc = false;
        ended = scan_ended();
    }
    for (uint32_t g = 1; g <= g_nguests; ++g)
        kprintf("dom0: domain %u: %lu progress upcalls (sends coalesce while one is pending)\n", g,
                g_guests[g].progress);
}

void run_guest(const BootInfo& bi) {
    // dom0 offers port `domid` to guest `domid`; it may not have yet.
    events::Port port = 0;
    for (;;) {
        kstd::Result<events::Port> p = events::bind_interdomain(0, bi.domid, nullptr, nullptr);
        if (p.is_ok()) {
            port = p.value();
            break;
        }
        platform::yield();
    }
    uint64_t start = platform::uptime_ns(), iterations = 0, sent = 0;
    while (platform::uptime_ns() - start < spin_ns) {
        for (uint64_t i = 0; i < report_every; ++i) asm volatile("" ::: "memory");
        iterations += report_every;
        if (events::send(port).is_ok()) ++sent;
    }
    kprintf("%s: %lu iterations in %lu ms of system time, %lu events sent to dom0\n", bi.name, iterations,
            spin_ns / 1'000'000, sent);
}

}  // namespace

bool demo_events() {
    if (!cmdline_has("demo_events")) return false;
    if (!events::supported() || events::init().is_error()) {
        kprintf("demo_events: this platform has no event channels\n");
        return false;
    }
    const BootInfo& bi = boot_info();
    if (bi.privileged) run_dom0(static_cast<uint32_t>(cmdline_u64("demo_events", 0)));
    else run_guest(bi);
    return true;
}

}  // namespace pvk
