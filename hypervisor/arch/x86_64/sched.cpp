#include "sched.h"

#include <pvisor/sched.h>

#include "core/bounce.h"
#include "core/builder.h"
#include "core/hypercall_dispatch.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/evtchn_wait.h"
#include "core/vcpu_timers.h"
#include "core/timer.h"
#include "cpu.h"
#include "gdt.h"
#include "kstd/format.h"
#include "guest_access.h"
#include "hv_objects.h"
#include "lapic.h"
#include "paging.h"
#include "percpu.h"
#include "serial.h"
#include "shutdown.h"
#include "tsc.h"
#include "vcpu_context.h"

extern "C" void switch_stacks(uint64_t* save, uint64_t new_rsp);

namespace arch {
namespace {

constexpr size_t max_domains = 64;

constexpr size_t max_vcpus = max_domains * core::Domain::max_vcpus;
constexpr size_t timers_per_vcpu = 3;

core::Domain* g_domains[max_domains];
bool g_reaped[max_domains];
size_t g_domain_count = 0;

// One CPU today; the scheduler keeps per-CPU run queues already.
constexpr uint32_t this_cpu_id = 0;
core::CreditScheduler g_sched;
core::TimerQueue g_timers;
core::Timer* g_timer_storage[max_vcpus * timers_per_vcpu];
HvVcpu* g_vcpus[max_vcpus];
uint32_t g_vcpu_count = 0;

// Per-CPU scheduling state (one CPU today). When the running vCPU's slice
// ends, and whether it must give up the CPU at the next return to the guest
// (a slice ended, or a wake-up outranks it).
uint64_t g_slice_end = 0;
bool g_need_resched = false;
// Set when a domain ends (and at boot): the next switch goes through the
// scheduler loop, which frees ended domains on the boot stack and stops
// the machine when none is left.
bool g_reap_pending = true;
// When console input is looked for next (check_console_input).
uint64_t g_console_due = 0;
constexpr uint64_t console_poll_ns = 10'000'000;
// The same while dom0 listens to the console (console_listener), else
// never: what next_interrupt needs on every switch, kept by console_watch
// wherever either changes.
uint64_t g_console_poll_at = UINT64_MAX;

// dom0, once built (for its console and domain-exception VIRQs).
HvDomain* g_dom0 = nullptr;

// A vCPU's x87/SSE registers go with it: saved when it leaves the CPU and
// restored when it comes back, starting from the reset state
// (vcpu_stack_init).
void fpu_save(core::Vcpu& v) {
    // SAFETY: fpu is a 16-byte aligned 512-byte area in the vCPU object.
    asm volatile("fxsaveq %0" : "=m"(v.fpu));
}

// vcpu_stack_init gave every vCPU a state to load (the reset state).
void fpu_load(core::Vcpu& v) {
    // SAFETY: restores what fpu_save stored for this vCPU, or the reset
    // image vcpu_stack_init wrote.
    asm volatile("fxrstorq %0" : : "m"(v.fpu));
}

// Makes v the running vCPU: its stack for entries, FS, root and GS base.
void load_vcpu(core::Vcpu& v) {
    fpu_load(v);
    PerCpu& c = this_cpu();
    c.current = &v;
    c.vcpu_info = v.info;
    c.stack_top = v.stack_top;
    c.tss->rsp[0] = v.stack_top;
    wrmsr(msr::fs_base, v.fs_base);
    load_mode(v);
}

// From the scheduler loop to v; back when a vCPU switches to the loop.
void run(core::Vcpu& v) {
    load_vcpu(v);
    switch_stacks(&this_cpu().idle_rsp, v.saved_rsp);
    this_cpu().current = nullptr;
    this_cpu().vcpu_info = nullptr;
}

uint64_t now() { return system_time_ns(); }

inline void kick_vcpu(core::Vcpu& v);

// Runs what the timers that came due ask for: a guest timer raises the
// vCPU's timer VIRQ; a poll timeout wakes the vCPU.
[[gnu::noinline]] void fire_due_timers(uint64_t t) {
    core::Timer* fired[16];
    for (;;) {
        size_t n = g_timers.expire(t, kstd::span<core::Timer*>(fired, kstd::array_size(fired)));
        for (size_t i = 0; i < n; ++i) {
            HvVcpu* hv = g_vcpus[fired[i]->owner];
            if (hv->vcpu.state == core::VcpuState::down) continue;
            if (fired[i]->kind == core::TimerKind::poll_timeout) {
                kick_vcpu(hv->vcpu);
            } else {
                HvDomain& hd = hv_domain(*hv->vcpu.domain);
                (void)core::evtchn_raise_virq(hd.evtchn, event_sink(), hv->vcpu.id, PV_VIRQ_TIMER);
            }
        }
        if (n < kstd::array_size(fired)) return;
    }
}

// On every switch: the common case, nothing due, costs a compare.
inline void fire_timers(uint64_t t) {
    if (g_timers.next_deadline() <= t) fire_due_timers(t);
}

void log_end(core::Domain& d) {
    // What the domain wrote last without a newline is not lost.
    if (d.console_len > 0) {
        d.console_line[d.console_len] = '\0';
        core::print("(d%u) %s\n", d.id, d.console_line);
        d.console_len = 0;
    }
    if (d.state == core::DomainState::crashed)
        core::print("pvisor: domain %u (%s) crashed: %s\n", d.id, d.name, d.crash_reason);
    else
        core::print("pvisor: domain %u (%s) shut down: %s\n", d.id, d.name, core::shutdown_reason_name(d.shutdown_reason));
}

// Frees the memory of domains that have ended. Runs on the scheduler
// stack, never on a stack being freed, with the hypervisor's own root
// loaded, never a root being freed.
void reap_ended() {
    for (size_t i = 0; i < g_domain_count; ++i) {
        core::Domain* d = g_domains[i];
        if (g_reaped[i] || !d->dead()) continue;
        write_cr3(hv_root().raw);
        vcpus_release(*d);
        g_reaped[i] = true;
    }
}

size_t live_domains() {
    size_t n = 0;
    for (size_t i = 0; i < g_domain_count; ++i)
        if (!g_domains[i]->dead()) ++n;
    return n;
}

// dom0's console listener: the domain, if it bound PV_VIRQ_CONSOLE.
core::Domain* console_listener() {
    if (g_dom0 == nullptr || g_dom0->dom.dead() || g_dom0->evtchn.events(0).virq_port[PV_VIRQ_CONSOLE] == 0)
        return nullptr;
    return &g_dom0->dom;
}

// Brings g_console_poll_at up to date: after g_console_due moves, dom0
// binds or unbinds PV_VIRQ_CONSOLE (Sink::virq_binding_changed, which
// also covers dom0 ending, whose ports close) or dom0 comes to exist.
void console_watch() { g_console_poll_at = console_listener() != nullptr ? g_console_due : UINT64_MAX; }

// Console input for dom0 (PV_VIRQ_CONSOLE), looked for every 10 ms on
// timer ticks and idle wake-ups (next_interrupt makes sure there is one):
// the UART's own interrupt is not routed (the PIC is masked). Raising it
// again while it is pending coalesces.
void check_console_input(uint64_t t) {
    if (t < g_console_due) return;
    g_console_due = t + console_poll_ns;
    console_watch();
    if (core::Domain* dom0 = console_listener(); dom0 != nullptr && serial_has_input())
        (void)core::evtchn_raise_global_virq(hv_domain(*dom0).evtchn, event_sink(), PV_VIRQ_CONSOLE);
}

// The latest the LAPIC may interrupt a running vCPU: at the end of its
// slice, at the next timer, and while dom0 listens to the console, at the
// next look for input.
uint64_t next_interrupt() { return kstd::min(kstd::min(g_slice_end, g_timers.next_deadline()), g_console_poll_at); }

// Starts the slice the scheduler just picked, at t.
[[gnu::always_inline]] inline void start_slice(const core::SchedPick& pick, uint64_t t) {
    g_slice_end = t + pick.slice_ns;
    g_need_resched = false;
    lapic_arm_by(next_interrupt(), t);
}

// switch_context's last step: the root (compared with CR3) and the GS
// base waiting in KERNEL_GS_BASE (compared with prev's, which it holds).
[[gnu::always_inline]] inline void load_root_and_gs(uint64_t root, uint64_t gs, uint64_t prev_gs) {
    if (root != read_cr3()) write_cr3(root);
    if (gs != prev_gs) wrmsr(msr::kernel_gs_base, gs);
}

// Moves the CPU from prev's context to next's: what load_vcpu does, minus
// the writes that would not change anything. While the hypervisor runs for
// prev, FS base holds prev.fs_base and KERNEL_GS_BASE the GS base of prev's
// mode (load_mode and the entry paths keep it so); CR3 is read back, since
// a root change may reload it without a switch.
[[gnu::always_inline]] inline void switch_context(core::Vcpu& prev, core::Vcpu& next) {
    fpu_save(prev);
    fpu_load(next);
    PerCpu& c = this_cpu();
    c.current = &next;
    c.vcpu_info = next.info;
    c.stack_top = next.stack_top;
    c.tss->rsp[0] = next.stack_top;
    if (next.fs_base != prev.fs_base) wrmsr(msr::fs_base, next.fs_base);
    c.mode = static_cast<uint8_t>(next.mode);
    if (next.mode == core::VcpuMode::kernel && prev.mode == core::VcpuMode::kernel) [[likely]] {
        // Both in kernel mode (a vCPU that blocks or yields always is):
        // the same as below, without choosing the fields.
        load_root_and_gs(core::to_maddr(next.kernel_root).raw, next.gs_base_kernel, prev.gs_base_kernel);
        return;
    }
    bool kernel = next.mode == core::VcpuMode::kernel;
    load_root_and_gs(core::to_maddr(kernel ? next.kernel_root : next.user_root).raw,
                     kernel ? next.gs_base_kernel : next.gs_base_user,
                     prev.mode == core::VcpuMode::kernel ? prev.gs_base_kernel : prev.gs_base_user);
}

// Takes the running vCPU v off the CPU at t, after the scheduler has been
// told why (yield, block, preemption), and runs what it picks next; returns
// when v runs again. The common case switches straight to the next vCPU's
// stack. An idle CPU, or an ended domain to free, goes through the
// scheduler loop on the boot stack instead.
// The running vCPU v gives the CPU to the scheduler loop on the boot
// stack; returns when v runs again.
[[gnu::noinline]] void switch_to_loop(core::Vcpu& v) {
    fpu_save(v);
    switch_stacks(&v.saved_rsp, this_cpu().idle_rsp);
}

// The running vCPU v gives the CPU to what the scheduler picked at t:
// straight to the next vCPU's stack, or, with nothing to run, to the
// scheduler loop. Returns when v runs again.
[[gnu::always_inline]] inline void run_pick(core::Vcpu& v, const core::SchedPick& pick, uint64_t t) {
    if (pick.vcpu == nullptr) [[unlikely]] {
        switch_to_loop(v);
        return;
    }
    start_slice(pick, t);
    core::Vcpu& next = *pick.vcpu->vcpu;
    if (&next == &v) return;  // still loaded: root, segment bases and FPU registers are its own
    switch_context(v, next);
    switch_stacks(&v.saved_rsp, next.saved_rsp);
}

void leave_cpu_at(core::Vcpu& v, uint64_t t) {
    if (g_reap_pending) {
        switch_to_loop(v);
        return;
    }
    fire_timers(t);
    run_pick(v, g_sched.pick_next(this_cpu_id, t), t);
}

// The running vCPU v stops for `why` (for a block, v.state says blocked
// already) and the CPU runs what the scheduler picks; returns when v runs
// again. The switch path: one scheduler call charges v, queues it again
// unless it blocks, and picks. With a timer due (it may wake v) or a domain
// to reap, the scheduler is told first and leave_cpu_at does the rest.
// Inline into each of its few callers, whose `why` is a constant.
[[gnu::always_inline]] inline void switch_away(core::Vcpu& v, core::SchedStop why) {
    uint64_t t = now();
    if (g_reap_pending || g_timers.next_deadline() <= t) [[unlikely]] {
        if (why == core::SchedStop::block) g_sched.block(hv_vcpu(v).sched, t);
        else if (why == core::SchedStop::yield) g_sched.yield(hv_vcpu(v).sched, t);
        leave_cpu_at(v, t);
        return;
    }
    run_pick(v, g_sched.reschedule(this_cpu_id, t, why), t);
}

void leave_cpu(core::Vcpu& v) { switch_away(v, core::SchedStop::preempt); }

[[noreturn]] void finish() {
    bool all_clean = true;
    for (size_t i = 0; i < g_domain_count; ++i) {
        const core::Domain* d = g_domains[i];
        if (d->state == core::DomainState::crashed || d->shutdown_reason == PV_SHUTDOWN_crash) all_clean = false;
    }
    core::print("pvisor: all domains have ended\n");
    print_domain_table();
    core::print("pvisor: shutting down: %s\n", all_clean ? "every domain powered off" : "a domain crashed");
    machine_stop(all_clean ? core::ExitStatus::ok : core::ExitStatus::test_failed);
}

}  // namespace

class Hooks final : public core::HypercallHooks {
public:
    void console_line(const core::Domain& d, const char* line) override { core::print("(d%u) %s\n", d.id, line); }

    size_t console_read(char* buf, size_t len) override {
        size_t n = 0;
        while (n < len && serial_try_getc(&buf[n])) ++n;
        return n;
    }

    void segment_base_changed(core::Vcpu& v) override {
        if (this_cpu().current != &v) return;
        wrmsr(msr::fs_base, v.fs_base);
        load_mode(v);
    }

    void yield(core::Vcpu& v) override { switch_away(v, core::SchedStop::yield); }

    void block(core::Vcpu& v) override {
        v.state = core::VcpuState::blocked;
        switch_away(v, core::SchedStop::block);
    }

    void domain_ended(core::Domain& d) override {
        log_end(d);
        // Its event channels close: interdomain peers return to unbound.
        core::evtchn_close_all(hv_domain(d).evtchn);
        // Tell dom0, if it listens (PV_VIRQ_DOM_EXC).
        if (core::Domain* dom0 = find_domain(0); dom0 != nullptr && dom0 != &d)
            (void)core::evtchn_raise_global_virq(hv_domain(*dom0).evtchn, arch::event_sink(), PV_VIRQ_DOM_EXC);
        uint64_t t = now();
        for (uint32_t i = 0; i < d.vcpu_count; ++i) {
            HvVcpu& hv = hv_vcpu(*d.vcpus[i]);
            hv.vcpu.state = core::VcpuState::down;
            core::cancel_vcpu_timers(g_timers, hv.timers);
            g_sched.remove_vcpu(hv.sched, t);
        }
        g_reap_pending = true;
        console_watch();  // dom0 no longer listens (closing its VIRQ port told the sink too)
        core::Vcpu* cur = this_cpu().current;
        if (cur != nullptr && cur->domain == &d) {
            leave_cpu_at(*cur, t);
            core::panic("a vCPU of an ended domain ran again");
        }
    }

    [[noreturn]] void crash_current(const char* why) override { crash_current_domain(why); }

    const char* build_string() override { return "pvisor " PVISOR_VERSION; }

    core::EvtchnTable* evtchn_table(core::Domain& d) override { return &hv_domain(d).evtchn; }
    core::DomainLookup* domain_lookup() override { return &arch::domain_lookup(); }
    core::EventSink* event_sink() override { return &arch::event_sink(); }
    uint64_t now_ns() override { return now(); }

    kstd::Result<void> set_singleshot_timer(core::Vcpu& v, uint64_t deadline) override {
        HvVcpu& hv = hv_vcpu(v);
        uint64_t t = now();
        if (deadline != 0 && deadline <= t) {
            // A time already past fires now, as if armed and expired at
            // once, with no trip through the queue or the LAPIC: a deadline
            // set before is replaced, and the VIRQ is delivered on the way
            // back from this hypercall. Other timers due fire with it.
            (void)core::set_singleshot_timer(g_timers, hv.timers, 0);  // cancels; never fails
            (void)core::evtchn_raise_virq(hv_domain(*v.domain).evtchn, arch::event_sink(), v.id, PV_VIRQ_TIMER);
            fire_timers(t);
            return kstd::ok();
        }
        TRY(core::set_singleshot_timer(g_timers, hv.timers, deadline));
        // The LAPIC may be armed for a later deadline; bring it forward,
        // counting from the time read just before (a count from the earlier
        // read would fire late by the time the arming took).
        lapic_arm_by(next_interrupt(), now());
        return kstd::ok();
    }

    kstd::Result<void> poll(core::Vcpu& v, const uint32_t* ports, uint32_t n, uint64_t timeout) override {
        HvVcpu& hv = hv_vcpu(v);
        core::EvtchnTable& t = hv_domain(*v.domain).evtchn;
        uint64_t time = now();
        core::PollOutcome o = TRY(core::poll_prepare(t, v, kstd::span<const uint32_t>(ports, n), timeout, time));
        if (o == core::PollOutcome::sleep) {
            if (timeout != 0) (void)core::set_poll_timeout(g_timers, hv.timers, timeout);
            g_sched.block(hv.sched, time);
            leave_cpu_at(v, time);  // back when a polled port is pending or the timeout fires
        }
        core::poll_finish(t, v);
        (void)core::set_poll_timeout(g_timers, hv.timers, 0);
        return kstd::ok();
    }

    core::Domain* find_domain(pv_domid_t id) override {
        for (size_t i = 0; i < g_domain_count; ++i)
            if (g_domains[i]->id == id && !g_domains[i]->dead()) return g_domains[i];
        return nullptr;
    }

    kstd::Result<void> pause_domain(core::Domain& d) override {
        TRY(d.pause());
        if (d.pause_count == 1)
            for (uint32_t i = 0; i < d.vcpu_count; ++i) g_sched.block(hv_vcpu(*d.vcpus[i]).sched, now());
        return kstd::ok();
    }

    kstd::Result<void> unpause_domain(core::Domain& d) override {
        TRY(d.unpause());
        if (d.runnable())
            for (uint32_t i = 0; i < d.vcpu_count; ++i)
                if (d.vcpus[i]->state == core::VcpuState::runnable)
                    (void)g_sched.wake(hv_vcpu(*d.vcpus[i]).sched, false);
        return kstd::ok();
    }

    kstd::Result<void> set_sched_params(core::Domain& d, uint32_t weight, uint32_t cap) override {
        return g_sched.set_params(hv_domain(d).sched, weight, cap);
    }

    kstd::Result<void> vcpu_initialise(core::Vcpu& v, const core::GuestRegs& regs) override {
        TRY(vcpu_stack_init(v, regs));
        v.state = core::VcpuState::down;  // until vcpu_op up
        return kstd::ok();
    }

    kstd::Result<void> vcpu_up(core::Vcpu& v) override {
        v.state = core::VcpuState::runnable;
        if (v.domain->runnable() && g_sched.wake(hv_vcpu(v).sched, false)) g_need_resched = true;
        return kstd::ok();
    }

    kstd::Result<void> vcpu_down(core::Vcpu& v) override {
        v.state = core::VcpuState::down;
        g_sched.block(hv_vcpu(v).sched, now());
        if (this_cpu().current == &v) leave_cpu(v);  // back when it is up again
        return kstd::ok();
    }

    kstd::Result<void> set_periodic_timer(core::Vcpu& v, uint64_t period) override {
        uint64_t t = now();
        TRY(core::set_periodic_timer(g_timers, hv_vcpu(v).timers, period, t));
        lapic_arm_by(next_interrupt(), t);
        return kstd::ok();
    }

    kstd::Result<void> get_sched_params(core::Domain& d, uint32_t* weight, uint32_t* cap) override {
        *weight = hv_domain(d).sched.weight;
        *cap = hv_domain(d).sched.cap;
        return kstd::ok();
    }
};

Hooks g_hooks;

namespace {

// Wakes v, blocked, for an event. Inline into core::hv_wake_blocked, which
// every send that wakes its peer calls.
[[gnu::always_inline]] inline void wake_blocked(core::Vcpu& v) {
    v.state = core::VcpuState::runnable;
    if (v.domain->runnable() && g_sched.wake(hv_vcpu(v).sched, true)) g_need_resched = true;
}

inline void kick_vcpu(core::Vcpu& v) {
    // A running or runnable vCPU sees the upcall on its way back to the
    // guest; only a sleeping one needs waking.
    if (v.state != core::VcpuState::blocked) return;
    wake_blocked(v);
}

class Sink final : public core::EventSink {
public:
    void kick(core::Vcpu& v) override { kick_vcpu(v); }
    void virq_binding_changed(core::EvtchnTable&, uint32_t virq) override {
        if (virq == PV_VIRQ_CONSOLE) console_watch();
    }
};

class Lookup final : public core::DomainLookup {
public:
    core::EvtchnTable* evtchn_table(pv_domid_t id) override {
        for (size_t i = 0; i < g_domain_count; ++i)
            if (g_domains[i]->id == id && !g_domains[i]->dead()) return &hv_domain(*g_domains[i]).evtchn;
        return nullptr;
    }
};

Sink g_sink;
Lookup g_lookup;

}  // namespace

}  // namespace arch

// The sink's kick for a blocked vCPU, called directly by event delivery
// (core/evtchn.h).
void core::hv_wake_blocked(core::Vcpu& v) { arch::wake_blocked(v); }

namespace arch {

core::HypercallHooks& hypercall_hooks() { return g_hooks; }
core::EventSink& event_sink() { return g_sink; }
core::DomainLookup& domain_lookup() { return g_lookup; }

void sched_init() {
    this_cpu().tss = &current_tss();
    if (g_sched.init(1, now()).is_error() ||
        g_timers.init(kstd::span<core::Timer*>(g_timer_storage, kstd::array_size(g_timer_storage))).is_error())
        core::panic("cannot set up the scheduler");
}

kstd::Result<void> sched_add_domain(core::Domain* d) {
    if (g_domain_count == max_domains || g_vcpu_count + d->vcpu_count > max_vcpus) return kstd::Error::nospc;
    HvDomain& hd = hv_domain(*d);
    g_sched.add_domain(hd.sched);
    for (uint32_t i = 0; i < d->vcpu_count; ++i) {
        HvVcpu& hv = hv_vcpu(*d->vcpus[i]);
        TRY(g_sched.add_vcpu(hv.sched, hd.sched, &hv.vcpu, this_cpu_id));
        hv.index = g_vcpu_count;
        hv.timers.init(hv.index);
        g_vcpus[g_vcpu_count++] = &hv;
    }
    g_domains[g_domain_count++] = d;
    if (d->id == 0) g_dom0 = &hd;
    console_watch();
    return kstd::ok();
}

void sched_unpause(core::Domain* d) {
    if (d->unpause().is_error() || !d->runnable()) return;
    for (uint32_t i = 0; i < d->vcpu_count; ++i)
        if (d->vcpus[i]->state == core::VcpuState::runnable)
            (void)g_sched.wake(hv_vcpu(*d->vcpus[i]).sched, false);
}

void sched_timer_interrupt(TrapFrame& frame) {
    uint64_t t = now();
    fire_timers(t);
    check_console_input(t);
    core::Vcpu* cur = this_cpu().current;
    if (cur == nullptr) return;  // idle: the loop decides
    if (t >= g_slice_end) g_need_resched = true;
    // Possibly early (lapic_arm_by leaves earlier interrupts armed): arm
    // for the real deadline.
    if (!g_need_resched) lapic_arm_at(next_interrupt(), t);
    if (from_user(frame)) return_to_guest();
}

void return_to_guest() {
    if (!g_need_resched) [[likely]] return;
    core::Vcpu* cur = this_cpu().current;
    if (cur == nullptr) return;
    g_need_resched = false;
    // Still runnable: the scheduler takes it back into its queue when it
    // picks the next vCPU, and charges it for the time it ran.
    leave_cpu(*cur);
}

core::Vcpu& current_vcpu() {
    core::Vcpu* v = this_cpu().current;
    if (v == nullptr) core::panic("guest entry with no current vCPU");
    return *v;
}

[[noreturn]] void crash_current_domain(const char* why) {
    core::Vcpu& v = current_vcpu();
    v.domain->crash(why);
    g_hooks.domain_ended(*v.domain);
    core::panic("crash_current_domain returned");
}

void print_domain_table() {
    core::print("pvisor: %-4s %-16s %-5s %-22s %10s %6s %4s %10s %10s %10s %10s %10s\n", "id", "name", "vcpus",
                "state", "cpu ms", "weight", "cap", "hypercalls", "bounces", "traps", "pt-updates", "sends");
    for (size_t i = 0; i < g_domain_count; ++i) {
        const core::Domain* d = g_domains[i];
        uint64_t hc = 0, bounces = 0, traps = 0, pt = 0, sends = 0;
        for (uint32_t j = 0; j < d->vcpu_count; ++j) {
            const core::Vcpu& v = *d->vcpus[j];
            hc += v.hypercalls;
            bounces += v.bounces;
            traps += v.traps_taken;
            pt += v.pt_updates;
            sends += v.event_sends;
        }
        uint64_t cpu_ns = 0;
        for (uint32_t j = 0; j < d->vcpu_count; ++j) cpu_ns += hv_vcpu(*d->vcpus[j]).sched.total_run;
        const core::SchedDomain& sd = hv_domain(*const_cast<core::Domain*>(d)).sched;
        char state[24];
        if (d->state == core::DomainState::shut_down)
            kstd::format(state, sizeof state, "shut down (%s)", core::shutdown_reason_name(d->shutdown_reason));
        else
            kstd::format(state, sizeof state, "%s", core::domain_state_name(d->state));
        core::print("pvisor: %-4u %-16s %-5u %-22s %6lu.%03lu %6u %4u %10lu %10lu %10lu %10lu %10lu\n", d->id, d->name,
                    d->vcpu_count, state, cpu_ns / 1000000, cpu_ns / 1000 % 1000, sd.weight, sd.cap, hc, bounces, traps,
                    pt, sends);
    }
}

// For the "nothing can wake it" report: each live vCPU's state and its
// event words, so a lost wake-up shows whether an event was left pending.
void print_blocked_vcpus() {
    for (size_t i = 0; i < g_domain_count; ++i) {
        const core::Domain* d = g_domains[i];
        if (d->dead()) continue;
        for (uint32_t j = 0; j < d->vcpu_count; ++j) {
            const core::Vcpu& v = *d->vcpus[j];
            const pv_vcpu_info* vi = v.info;
            core::print("pvisor: d%u v%u: %s, upcall_pending %u, upcall_mask %u, pending_sel %#lx\n", d->id, j,
                        v.state == core::VcpuState::blocked ? "blocked" : v.state == core::VcpuState::down ? "down" : "runnable",
                        vi != nullptr ? vi->upcall_pending : 0, vi != nullptr ? vi->upcall_mask : 0,
                        vi != nullptr ? vi->evtchn_pending_sel : 0);
        }
    }
}

[[noreturn]] void sched_run() {
    for (;;) {
        if (g_reap_pending) {
            g_reap_pending = false;
            reap_ended();
            if (live_domains() == 0) finish();
        }
        uint64_t t = now();
        fire_timers(t);
        check_console_input(t);
        core::SchedPick pick = g_sched.pick_next(this_cpu_id, t);
        if (pick.vcpu != nullptr) {
            start_slice(pick, t);
            run(*pick.vcpu->vcpu);
            continue;
        }
        uint64_t timer_deadline = g_timers.next_deadline();
        uint64_t wake_at = pick.slice_ns == core::CreditScheduler::no_deadline ? timer_deadline
                                                                              : kstd::min(t + pick.slice_ns, timer_deadline);
        // A console listener may be woken by input: look every 10 ms.
        if (console_listener() != nullptr) wake_at = kstd::min(wake_at, g_console_due);
        if (wake_at == core::TimerQueue::no_deadline || !lapic_present()) {
            // Nothing runnable and nothing armed that could make it so.
            core::print("pvisor: every live domain is blocked and nothing can wake it\n");
            print_domain_table();
            print_blocked_vcpus();
            machine_stop(core::ExitStatus::test_failed);
        }
        lapic_arm_at(wake_at, t);
        // SAFETY: the only place the hypervisor takes interrupts: sti; hlt
        // waits for the timer (the pair cannot lose a wake-up, sti takes
        // effect after hlt starts), then interrupts are off again.
        asm volatile("sti; hlt; cli" ::: "memory");
    }
}

}  // namespace arch

namespace {

// A guest's own system call (syscall in virtual user mode), for its kernel.
[[gnu::noinline]] void bounce_user_syscall(core::Vcpu& v, core::GuestRegs& regs) {
    core::BounceFailure why;  // written only on failure
    if (core::deliver_syscall(v, regs, arch::guest_access(), &why).is_error()) arch::crash_current_domain(why.reason);
}

}  // namespace

// The C half of syscall_entry.S: a hypercall (from virtual kernel mode)
// or a guest's own system call (from virtual user mode) that the assembly
// fast paths left to C, for the current vCPU v.
extern "C" void hypercall_from_guest(core::GuestRegs* regs, core::Vcpu* v) {
    using namespace arch;
    // regs is the frame syscall_slow built at the top of v's stack, the
    // one the context was made for.
    (void)regs;
    core::hypercall_run_inline(hv_vcpu(*v).hypercall.get());
    return_to_guest();
}

extern "C" void user_syscall_from_guest(core::GuestRegs* regs, core::Vcpu* v) {
    bounce_user_syscall(*v, *regs);
    arch::return_to_guest();
}
