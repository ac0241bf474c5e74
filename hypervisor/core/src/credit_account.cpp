// Credit accounting: once per period, the period's CPU time is shared out
// as credit among the active domains by weight (core/credit_sched.h).
#include "core/credit_sched.h"

#include "kstd/utility.h"

namespace core {
namespace {

// A vCPU takes part in accounting if it wants the CPU now or ran during
// the period that ended; one that sleeps keeps its credit as it is.
bool active(const SchedVcpu& v) { return v.runnable || v.running || v.total_run != v.acct_run; }

}  // namespace

// Water-filling: each active domain gets total x weight / (sum of weights),
// except that no domain gets more than its limit (its cap, or one CPU per
// active vCPU); what a limited domain cannot take is shared out among the
// others, again by weight.
void CreditScheduler::split_shares() {
    uint64_t remaining = params_.period_ns * cpus_;
    uint64_t weights = 0;
    for (SchedDomain* d = domains_; d != nullptr; d = d->next) {
        d->active_vcpus = 0;
        d->share = 0;
        for (const SchedVcpu* v = d->vcpus; v != nullptr; v = v->dom_next)
            if (active(*v)) ++d->active_vcpus;
        if (d->active_vcpus != 0) weights += d->weight;
    }
    auto limit = [&](const SchedDomain& d) {
        uint64_t l = params_.period_ns * kstd::min(d.active_vcpus, cpus_);
        if (d.cap != 0) l = kstd::min(l, params_.period_ns * d.cap / 100);
        return l;
    };
    // Settle the limited domains one round at a time; each round settles
    // at least one or ends the loop, so it runs at most once per domain.
    for (bool settled = true; settled && weights > 0;) {
        settled = false;
        for (SchedDomain* d = domains_; d != nullptr; d = d->next) {
            if (d->active_vcpus == 0 || d->share != 0) continue;
            uint64_t fair = remaining * d->weight / weights;
            if (fair < limit(*d)) continue;
            d->share = limit(*d);
            remaining -= d->share;
            weights -= d->weight;
            settled = true;
        }
    }
    for (SchedDomain* d = domains_; d != nullptr; d = d->next)
        if (d->active_vcpus != 0 && d->share == 0 && weights > 0) d->share = remaining * d->weight / weights;
}

void CreditScheduler::do_accounting(uint64_t now) {
    split_shares();
    const int64_t ceiling = static_cast<int64_t>(params_.tslice_ns);
    const int64_t floor = -4 * static_cast<int64_t>(params_.tslice_ns);
    for (SchedDomain* d = domains_; d != nullptr; d = d->next) {
        if (d->active_vcpus == 0) continue;
        const int64_t each = static_cast<int64_t>(d->share / d->active_vcpus);
        for (SchedVcpu* v = d->vcpus; v != nullptr; v = v->dom_next) {
            if (!active(*v)) continue;
            v->acct_run = v->total_run;
            // A capped vCPU may hold at most one period's allowance, so it
            // can never save up to run over its cap later. Others may save
            // up to one slice (an I/O-bound vCPU then keeps its boost), and
            // their debt is bounded so that a long burst is not punished
            // forever.
            int64_t credit = v->credit + each;
            credit = kstd::min(credit, d->cap != 0 ? each : ceiling);
            v->credit = kstd::max(credit, floor);

            // A vCPU keeps its place in the queue unless its class changes.
            SchedPrio prio = v->prio;
            if (prio != SchedPrio::boost || v->credit <= 0) prio = v->credit > 0 ? SchedPrio::under : SchedPrio::over;
            bool park = d->cap != 0 && v->credit <= 0 && !v->running;
            if (v->queued && (prio != v->prio || park)) dequeue(*v);
            v->prio = prio;
            v->parked = park;
            if (v->runnable && !v->running && !v->queued && !v->parked) enqueue(*v);
        }
    }
    // Periods stay aligned to the start; after a long idle stretch the
    // missed periods are not credited again.
    uint64_t periods = (now - start_) / params_.period_ns + 1;
    next_acct_ = start_ + periods * params_.period_ns;
}

}  // namespace core
