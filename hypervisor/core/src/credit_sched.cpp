// The credit scheduler's run queues and scheduling decisions; the
// accounting of credit is in credit_account.cpp.
#include "core/credit_sched.h"

#include "kstd/utility.h"

namespace core {

using kstd::Error;

kstd::Result<void> CreditScheduler::init(uint32_t cpus, uint64_t now, Params p) {
    if (cpus == 0 || cpus > max_cpus) return Error::inval;
    if (p.tslice_ns == 0 || p.period_ns == 0 || p.min_slice_ns == 0 || p.min_slice_ns > p.tslice_ns)
        return Error::inval;
    params_ = p;
    cpus_ = cpus;
    start_ = now;
    // The first pick accounts at once, so that nobody starts without credit.
    next_acct_ = now;
    domains_ = nullptr;
    for (RunQueue& q : rq_) {
        q = RunQueue{};
        for (uint32_t c = 0; c < sched_prio_count; ++c) q.tail[c] = &q.head[c];
    }
    return kstd::ok();
}

void CreditScheduler::add_domain(SchedDomain& d) {
    if (d.added) return;
    d.added = true;
    d.vcpus = nullptr;
    // Appended, so that accounting visits domains in creation order.
    SchedDomain** link = &domains_;
    while (*link != nullptr) link = &(*link)->next;
    d.next = nullptr;
    *link = &d;
}

kstd::Result<void> CreditScheduler::remove_domain(SchedDomain& d) {
    if (!d.added) return kstd::ok();
    if (d.vcpus != nullptr) return Error::busy;
    for (SchedDomain** link = &domains_; *link != nullptr; link = &(*link)->next) {
        if (*link != &d) continue;
        *link = d.next;
        break;
    }
    d.added = false;
    d.next = nullptr;
    return kstd::ok();
}

kstd::Result<void> CreditScheduler::set_params(SchedDomain& d, uint32_t weight, uint32_t cap) {
    if (weight == 0 || weight > SchedDomain::max_weight) return Error::inval;
    if (cap > 100 * cpus_) return Error::inval;
    d.weight = weight;
    d.cap = cap;
    for (SchedVcpu* v = d.vcpus; v != nullptr; v = v->dom_next) v->capped = cap != 0;
    return kstd::ok();
}

kstd::Result<void> CreditScheduler::add_vcpu(SchedVcpu& v, SchedDomain& d, Vcpu* vcpu, uint32_t cpu) {
    if (cpu >= cpus_ || !d.added) return Error::inval;
    v = SchedVcpu{};
    v.vcpu = vcpu;
    v.domain = &d;
    v.cpu = cpu;
    v.capped = d.cap != 0;
    // Appended: accounting visits a domain's vCPUs in creation order.
    SchedVcpu** link = &d.vcpus;
    while (*link != nullptr) link = &(*link)->dom_next;
    *link = &v;
    return kstd::ok();
}

void CreditScheduler::remove_vcpu(SchedVcpu& v, uint64_t now) {
    if (v.running) stop_running(v, now);
    if (v.queued) dequeue(v);
    v.runnable = false;
    if (v.domain == nullptr) return;
    for (SchedVcpu** link = &v.domain->vcpus; *link != nullptr; link = &(*link)->dom_next) {
        if (*link != &v) continue;
        *link = v.dom_next;
        break;
    }
    v.domain = nullptr;
    v.capped = false;
}

void CreditScheduler::enqueue(SchedVcpu& v) { enqueue(rq_[v.cpu], v); }

void CreditScheduler::dequeue(SchedVcpu& v) {
    RunQueue& q = rq_[v.cpu];
    uint32_t c = static_cast<uint32_t>(v.prio);
    SchedVcpu** link = &q.head[c];
    while (*link != &v) {
        if (*link == nullptr) return;  // not in this class's queue: cannot happen
        link = &(*link)->next;
    }
    *link = v.next;
    if (q.tail[c] == &v.next) q.tail[c] = link;
    v.next = nullptr;
    v.queued = false;
    --q.queued;
}

void CreditScheduler::account(SchedVcpu& v, uint64_t ran_ns) {
    bool was_queued = v.queued;
    if (was_queued) dequeue(v);
    charge(v, ran_ns);
    if (was_queued && !v.parked) enqueue(v);
}

// Takes v off its CPU, charging it the time since it started, and queues
// it again if it still wants to run. (A running vCPU is never queued; the
// general path covers it anyway.)
void CreditScheduler::stop_running(SchedVcpu& v, uint64_t now) {
    RunQueue& q = rq_[v.cpu];
    if (q.current == &v) q.current = nullptr;
    v.running = false;
    uint64_t ran = now > v.run_start ? now - v.run_start : 0;
    if (v.queued) [[unlikely]]
        account(v, ran);
    else
        charge(v, ran);
    if (v.runnable && !v.parked && !v.queued) enqueue(v);
}

void CreditScheduler::block(SchedVcpu& v, uint64_t now) {
    v.runnable = false;
    if (v.running) stop_running(v, now);
    if (v.queued) dequeue(v);
}

void CreditScheduler::yield(SchedVcpu& v, uint64_t now) {
    if (!v.running) return;
    v.yielded = true;
    stop_running(v, now);
}

SchedVcpu* CreditScheduler::take_best(RunQueue& q) {
    uint32_t c = 0;
    if (q.head[0] == nullptr) [[likely]] {
        c = 1;
        if (q.head[1] == nullptr) {
            c = 2;
            if (q.head[2] == nullptr) return nullptr;
        }
    }
    if (q.head[c]->yielded) [[unlikely]] {
        SchedVcpu* v = q.head[c];
        v->yielded = false;
        // A yield lets one vCPU of a lower class go first when nothing
        // else of its own class waits (Xen's credit1 does the same).
        if (v->next == nullptr) {
            for (uint32_t l = c + 1; l < sched_prio_count; ++l) {
                if (q.head[l] == nullptr) continue;
                c = l;
                break;
            }
        }
    }
    return take_head(q, c);
}

// With nothing of BOOST or UNDER class here, takes the best such vCPU
// waiting on another CPU (the first found, scanning from cpu + 1).
SchedVcpu* CreditScheduler::steal(uint32_t cpu) {
    for (uint32_t c = 0; c < static_cast<uint32_t>(SchedPrio::over); ++c) {
        for (uint32_t i = 1; i < cpus_; ++i) {
            RunQueue& other = rq_[(cpu + i) % cpus_];
            if (other.head[c] == nullptr) continue;
            SchedVcpu* v = take_head(other, c);
            v->cpu = cpu;
            return v;
        }
    }
    return nullptr;
}

bool CreditScheduler::any_parked() const {
    for (const SchedDomain* d = domains_; d != nullptr; d = d->next)
        for (const SchedVcpu* v = d->vcpus; v != nullptr; v = v->dom_next)
            if (v->parked && v->runnable) return true;
    return false;
}

// The general pick: accounts if a period has ended, honours a yield, steals
// for an OVER pick or an idle CPU, and idles.
SchedPick CreditScheduler::pick_slow(uint32_t cpu, uint64_t now) {
    RunQueue& q = rq_[cpu];
    if (now >= next_acct_) [[unlikely]]
        do_accounting(now);

    SchedVcpu* v = take_best(q);
    if ((v == nullptr || v->prio == SchedPrio::over) && cpus_ > 1) {
        if (SchedVcpu* s = steal(cpu)) {
            if (v != nullptr) enqueue(*v);
            v = s;
        }
    }
    if (v == nullptr) [[unlikely]]
        return {nullptr, any_parked() ? next_acct_ - now : no_deadline};
    return start(q, *v, now);
}

SchedPick CreditScheduler::pick_next(uint32_t cpu, uint64_t now) {
    if (cpu >= cpus_) return {nullptr, no_deadline};
    RunQueue& q = rq_[cpu];
    if (q.current != nullptr) stop_running(*q.current, now);
    return pick(cpu, now);
}

}  // namespace core
