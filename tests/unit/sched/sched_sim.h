// A discrete-event simulation of one CPU under the credit scheduler, on a
// virtual clock: CPU-bound vCPUs, and I/O-bound ones that run a short
// burst, block, and are woken by an event a while later. It records run
// intervals, waits and wake-up latencies.
#pragma once

#include <stdint.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

#include "core/credit_sched.h"

namespace simtest {

constexpr uint64_t us = 1000;
constexpr uint64_t ms = 1000 * us;
constexpr uint64_t never = UINT64_MAX;

struct Interval {
    uint64_t start, end;
};

struct SimVcpu {
    core::SchedVcpu sv;
    bool io = false;
    uint64_t burst = 0;    // io: runs this long, then blocks
    uint64_t sleep = 0;    // io: then sleeps this long
    uint64_t remaining = 0;
    uint64_t next_wake = never;
    uint64_t woke_at = never;
    uint64_t last_stop = 0;
    uint64_t max_wait = 0;
    std::vector<uint64_t> latencies;
    std::vector<Interval> runs;

    uint64_t ran() const {
        uint64_t t = 0;
        for (const Interval& i : runs) t += i.end - i.start;
        return t;
    }
    // Time run within [from, to).
    uint64_t ran_in(uint64_t from, uint64_t to) const {
        uint64_t t = 0;
        for (const Interval& i : runs) {
            uint64_t a = std::max(i.start, from), b = std::min(i.end, to);
            if (b > a) t += b - a;
        }
        return t;
    }
};

class Sim {
public:
    core::CreditScheduler sched;
    std::deque<core::SchedDomain> domains;
    std::deque<SimVcpu> vcpus;
    bool boost = true;
    uint64_t now = 0;
    std::vector<uint64_t> trace;  // (vcpu index, time) of every pick, for determinism checks

    explicit Sim(core::CreditScheduler::Params p = {}) {
        if (sched.init(1, 0, p).is_error()) abort();
    }

    core::SchedDomain& domain(uint32_t weight, uint32_t cap = 0) {
        domains.emplace_back();
        core::SchedDomain& d = domains.back();
        sched.add_domain(d);
        if (sched.set_params(d, weight, cap).is_error()) abort();
        return d;
    }

    SimVcpu& cpu_bound(core::SchedDomain& d) {
        vcpus.emplace_back();
        SimVcpu& v = vcpus.back();
        if (sched.add_vcpu(v.sv, d, nullptr, 0).is_error()) abort();
        sched.wake(v.sv, false);
        return v;
    }

    SimVcpu& io_bound(core::SchedDomain& d, uint64_t burst, uint64_t sleep, uint64_t first_wake) {
        vcpus.emplace_back();
        SimVcpu& v = vcpus.back();
        if (sched.add_vcpu(v.sv, d, nullptr, 0).is_error()) abort();
        v.io = true;
        v.burst = burst;
        v.sleep = sleep;
        v.next_wake = first_wake;
        return v;
    }

    SimVcpu* of(core::SchedVcpu* sv) {
        for (SimVcpu& v : vcpus)
            if (&v.sv == sv) return &v;
        return nullptr;
    }

    void run_until(uint64_t end) {
        uint64_t slice_end = pick();
        while (now < end) {
            SimVcpu* cur = of(sched.current(0));
            uint64_t t_block = cur != nullptr && cur->io ? now + cur->remaining : never;
            uint64_t t_wake = never;
            for (SimVcpu& v : vcpus) t_wake = std::min(t_wake, v.next_wake);
            uint64_t t = std::min({slice_end, t_block, t_wake, end});
            if (cur != nullptr) {
                if (t > now) cur->runs.push_back({now, t});
                if (cur->io) cur->remaining -= t - now;
            }
            now = t;
            if (now == end) break;
            if (now == t_block) {
                sched.block(cur->sv, now);
                cur->last_stop = now;
                cur->next_wake = now + cur->sleep;
                slice_end = pick();
            } else if (now == t_wake) {
                bool resched = false;
                for (SimVcpu& v : vcpus) {
                    if (v.next_wake != now) continue;
                    v.next_wake = never;
                    v.woke_at = now;
                    v.remaining = v.burst;
                    resched |= sched.wake(v.sv, boost);
                }
                if (resched || sched.current(0) == nullptr) slice_end = pick();
            } else {
                slice_end = pick();
            }
        }
        if (SimVcpu* cur = of(sched.current(0))) cur->last_stop = now;
    }

private:
    uint64_t pick() {
        if (SimVcpu* prev = of(sched.current(0))) prev->last_stop = now;
        core::SchedPick p = sched.pick_next(0, now);
        SimVcpu* v = of(p.vcpu);
        uint64_t index = ~uint64_t{0};
        for (size_t i = 0; i < vcpus.size(); ++i)
            if (&vcpus[i] == v) index = i;
        trace.push_back(index);
        trace.push_back(now);
        if (v == nullptr) return p.slice_ns == core::CreditScheduler::no_deadline ? never : now + p.slice_ns;
        if (v->woke_at != never) {
            v->latencies.push_back(now - v->woke_at);
            v->woke_at = never;
        } else {
            v->max_wait = std::max(v->max_wait, now - v->last_stop);
        }
        if (p.slice_ns == 0) abort();
        return now + p.slice_ns;
    }
};

}  // namespace simtest
