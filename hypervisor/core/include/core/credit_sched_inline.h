// The credit scheduler's switch path, inline (included by
// core/credit_sched.h): a vCPU switch charges the vCPU that stops, queues
// it again and takes the next, and each step is a few instructions, so
// the calls around them would cost as much as the steps. Anything out of
// the ordinary (an accounting due, a yield to honour, an OVER pick that
// might steal, an idle CPU) goes to pick_slow in credit_sched.cpp, which
// decides exactly as pick_next always has.
#pragma once

#include "core/credit_sched.h"
#include "kstd/utility.h"

namespace core {

// The queues are singly linked FIFOs: the switch path only appends and
// takes heads. Taking a vCPU out of the middle (pause, accounting moving
// it to another class) walks its class's list (dequeue).
[[gnu::always_inline]] inline void CreditScheduler::enqueue(RunQueue& q, SchedVcpu& v) {
    uint32_t c = static_cast<uint32_t>(v.prio);
    v.next = nullptr;
    *q.tail[c] = &v;
    q.tail[c] = &v.next;
    v.queued = true;
    ++q.queued;
}

// Takes the head of class c, which must not be empty.
[[gnu::always_inline]] inline SchedVcpu* CreditScheduler::take_head(RunQueue& q, uint32_t c) {
    SchedVcpu* v = q.head[c];
    SchedVcpu* next = v->next;  // read once: the store to head[c] may alias it
    q.head[c] = next;
    if (next == nullptr) q.tail[c] = &q.head[c];
    v->queued = false;
    --q.queued;
    return v;
}

// Charges ran_ns to v, which is not queued (its class may change). A
// boost lasts one turn; the class follows the credit; a capped vCPU out of
// credit is parked.
[[gnu::always_inline]] inline void CreditScheduler::charge(SchedVcpu& v, uint64_t ran_ns) {
    v.credit -= static_cast<int64_t>(kstd::min<uint64_t>(ran_ns, INT64_MAX / 2));
    v.total_run += ran_ns;
    const bool out = v.credit <= 0;
    v.prio = out ? SchedPrio::over : SchedPrio::under;
    if (out && v.capped) [[unlikely]]
        v.parked = true;
}

// How long v, just picked at `now`, may run. Every pick happens before the
// next accounting (pick accounts first when one is due), so the slice is
// always cut at it.
[[gnu::always_inline]] inline uint64_t CreditScheduler::slice_for(const SchedVcpu& v, uint64_t now) const {
    uint64_t credit = v.credit > 0 ? static_cast<uint64_t>(v.credit) : 0;
    uint64_t slice = kstd::min(params_.tslice_ns, kstd::max(credit, params_.min_slice_ns));
    // BOOST or UNDER and not capped, the switch path's case, returns here
    // without the tests below, which would not change it.
    if (v.prio != SchedPrio::over) [[likely]] {
        if (!v.capped) [[likely]]
            return kstd::min(slice, next_acct_ - now);
    } else {
        // Out of credit, vCPUs take turns in slices that shrink as more
        // wait, so that none waits for long behind a crowd of others.
        uint64_t waiting = rq_[v.cpu].queued + 1;
        slice = kstd::max(params_.tslice_ns / waiting, params_.min_slice_ns);
    }
    // A capped vCPU never runs past its credit: that is what keeps it
    // under its cap in every period.
    if (v.capped) slice = kstd::min(slice, kstd::max<uint64_t>(credit, 1));
    return kstd::min(slice, next_acct_ - now);
}

[[gnu::always_inline]] inline SchedVcpu* CreditScheduler::take_plain(RunQueue& q) {
    uint32_t c = 0;
    if (q.head[0] == nullptr) [[likely]] {
        c = 1;
        if (q.head[1] == nullptr) return nullptr;
    }
    SchedVcpu* v = q.head[c];
    if (v->yielded) {
        // A yield lets a lower class go first only when nothing else of
        // its own class waits (take_best); otherwise it just ends here.
        if (v->next == nullptr) return nullptr;
        v->yielded = false;
    }
    return take_head(q, c);
}

// v, taken off q's queue, runs from `now`.
[[gnu::always_inline]] inline SchedPick CreditScheduler::start(RunQueue& q, SchedVcpu& v, uint64_t now) {
    v.running = true;
    v.run_start = now;
    q.current = &v;
    return {&v, slice_for(v, now)};
}

[[gnu::always_inline]] inline SchedPick CreditScheduler::pick(uint32_t cpu, uint64_t now) {
    RunQueue& q = rq_[cpu];
    if (now < next_acct_) [[likely]] {
        if (SchedVcpu* v = take_plain(q)) [[likely]]
            return start(q, *v, now);
    }
    return pick_slow(cpu, now);
}

// Inline: every event that wakes a blocked vCPU comes here.
inline bool CreditScheduler::wake(SchedVcpu& v, bool boost) {
    if (v.runnable || v.domain == nullptr) return false;
    v.runnable = true;
    if (v.capped && v.credit <= 0) v.parked = true;
    if (v.parked) return false;  // runs when the next period gives it credit
    if (boost && v.prio == SchedPrio::under) v.prio = SchedPrio::boost;
    RunQueue& q = rq_[v.cpu];
    // Read before the enqueue, which does not change it (and whose store
    // through a tail pointer would make it read again).
    const SchedVcpu* cur = q.current;
    if (!v.running && !v.queued) enqueue(q, v);
    return cur == nullptr || static_cast<uint32_t>(v.prio) < static_cast<uint32_t>(cur->prio);
}

[[gnu::always_inline]] inline SchedPick CreditScheduler::reschedule(uint32_t cpu, uint64_t now, SchedStop why) {
    if (cpu >= cpus_) [[unlikely]]
        return {nullptr, no_deadline};
    RunQueue& q = rq_[cpu];
    // The common case of block, yield and stop_running in one: the running
    // vCPU (never queued) is charged and, unless it blocks, queued again.
    if (SchedVcpu* cur = q.current) [[likely]] {
        q.current = nullptr;
        cur->running = false;
        charge(*cur, now > cur->run_start ? now - cur->run_start : 0);
        if (why == SchedStop::block) cur->runnable = false;
        else if (why == SchedStop::yield) cur->yielded = true;
        if (cur->runnable && !cur->parked) enqueue(q, *cur);
    }
    return pick(cpu, now);
}

}  // namespace core
