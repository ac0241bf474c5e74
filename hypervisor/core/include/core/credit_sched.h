// A proportional-share scheduler in the spirit of Xen's credit scheduler.
//
// Each domain has a weight (its share relative to the others) and an
// optional cap (at most cap% of one CPU). Every accounting period the CPU
// time of the period (period x CPUs) is handed out as credit, in ns, to the
// domains that are active, in proportion to their weights; a domain never
// gets more than its cap or than its vCPUs can use, and what it cannot use
// goes to the others (water-filling). A domain's share is split evenly
// among its active vCPUs. Running costs credit, ns for ns.
//
// Each CPU has its own run queue with three classes, served in order:
//   BOOST  woken by an event while it had credit left: runs next, preempts
//   UNDER  credit left
//   OVER   credit used up; runs only when no BOOST or UNDER vCPU waits
// First in, first out within a class. A vCPU of a capped domain whose
// credit is used up is parked (not queued at all) until the next period
// gives it credit: with its credit clamped to one period's allowance and
// its slices never longer than its credit, a capped domain never runs more
// than its cap in any accounting period.
//
// Slices: UNDER and BOOST vCPUs run for their credit (at least
// min_slice_ns, at most tslice_ns), OVER ones for tslice_ns divided by the
// number waiting on the CPU (at least min_slice_ns), and no slice crosses
// the next accounting time, so periods are accounted on time.
//
// The scheduler is driven by an abstract clock (ns) passed into every
// call, which makes it deterministic and testable on the host. It takes
// no locks: the caller serialises calls (today there is one CPU; with
// more, one scheduler lock, or per-CPU locks plus one for accounting).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/vcpu.h"
#include "kstd/result.h"

namespace core {

enum class SchedPrio : uint8_t { boost = 0, under = 1, over = 2 };
// Why the running vCPU stops (CreditScheduler::reschedule).
enum class SchedStop : uint8_t {
    preempt,  // still runnable: its slice ended or a wake-up outranks it
    yield,    // as yield() below
    block,    // as block() below
};
constexpr uint32_t sched_prio_count = 3;

struct SchedVcpu;

struct SchedDomain {
    static constexpr uint32_t default_weight = 256;
    static constexpr uint32_t max_weight = 65535;

    uint32_t weight = default_weight;
    uint32_t cap = 0;  // percent of one CPU; 0: no cap

    // The scheduler's own bookkeeping.
    SchedDomain* next = nullptr;
    SchedVcpu* vcpus = nullptr;
    uint32_t active_vcpus = 0;  // during accounting
    uint64_t share = 0;         // during accounting
    bool added = false;
};

struct SchedVcpu {
    Vcpu* vcpu = nullptr;  // the caller's vCPU (may be null in tests)
    SchedDomain* domain = nullptr;
    uint32_t cpu = 0;  // the run queue it belongs to

    int64_t credit = 0;
    SchedPrio prio = SchedPrio::under;
    bool runnable = false;  // wants the CPU (not blocked or paused)
    bool running = false;   // is some CPU's current
    bool queued = false;
    bool parked = false;  // capped and out of credit
    bool yielded = false;
    bool capped = false;  // domain->cap != 0, kept by add_vcpu and set_params

    uint64_t run_start = 0;  // when it last started to run
    uint64_t total_run = 0;  // ns run in all, for statistics and tests
    uint64_t acct_run = 0;   // total_run at the last accounting: it ran since if they differ

    SchedVcpu* dom_next = nullptr;
    SchedVcpu* next = nullptr;
};

struct SchedPick {
    SchedVcpu* vcpu;   // nullptr: idle
    uint64_t slice_ns; // run at most this long; idle: the longest the CPU may sleep (no_deadline: until woken)
};

class CreditScheduler {
public:
    static constexpr uint32_t max_cpus = 8;
    static constexpr uint64_t no_deadline = UINT64_MAX;

    // The run queues point into themselves: a scheduler is never copied.
    CreditScheduler() = default;
    CreditScheduler(const CreditScheduler&) = delete;
    CreditScheduler& operator=(const CreditScheduler&) = delete;

    struct Params {
        uint64_t tslice_ns = 30'000'000;
        uint64_t period_ns = 30'000'000;
        uint64_t min_slice_ns = 1'000'000;
    };

    // EINVAL for no CPUs, more than max_cpus, or parameters that make no
    // sense (zero lengths, min_slice > tslice).
    [[nodiscard]] kstd::Result<void> init(uint32_t cpus, uint64_t now, Params p);
    [[nodiscard]] kstd::Result<void> init(uint32_t cpus, uint64_t now) { return init(cpus, now, Params{}); }

    // Domains. weight 1..max_weight, cap 0..100 x CPUs, else EINVAL; a
    // change takes effect at the next accounting. remove_domain: EBUSY
    // while it has vCPUs.
    void add_domain(SchedDomain& d);
    [[nodiscard]] kstd::Result<void> remove_domain(SchedDomain& d);
    [[nodiscard]] kstd::Result<void> set_params(SchedDomain& d, uint32_t weight, uint32_t cap);

    // vCPUs start not runnable; wake() makes them runnable. EINVAL for a
    // CPU out of range or a domain not added.
    [[nodiscard]] kstd::Result<void> add_vcpu(SchedVcpu& v, SchedDomain& d, Vcpu* vcpu, uint32_t cpu);
    void remove_vcpu(SchedVcpu& v, uint64_t now);

    // v becomes runnable. With boost, a vCPU of class UNDER (it has not
    // used up its credit) jumps to BOOST (an event woke it). Returns true if
    // v's CPU should call pick_next now: it is idle or runs something of
    // lower priority. Needs no clock: waking charges nobody. Inline
    // (credit_sched_inline.h).
    inline bool wake(SchedVcpu& v, bool boost = true);
    // v stops being runnable (blocked, paused). If it is running it is
    // charged now and its CPU must call pick_next.
    void block(SchedVcpu& v, uint64_t now);
    // v, running, gives up the CPU: charged now, queued behind its class
    // and behind one vCPU of the next class if there is one. The caller
    // then calls pick_next.
    void yield(SchedVcpu& v, uint64_t now);

    // Ends the current vCPU's turn on `cpu` (charging it), accounts if a
    // period has ended, and picks what runs next and for how long.
    SchedPick pick_next(uint32_t cpu, uint64_t now);
    // The switch path in one call: `cpu`'s running vCPU stops for `why`
    // (as block or yield above, or preempted: charged and queued again)
    // and the next is picked, as pick_next. Same decisions as the separate
    // calls, without their repeated checks. Inline (credit_sched_inline.h):
    // it is most of every vCPU switch.
    inline SchedPick reschedule(uint32_t cpu, uint64_t now, SchedStop why);

    // Charges ran_ns to v (usually done by the calls above from the clock;
    // exposed for callers that measure run time themselves).
    void account(SchedVcpu& v, uint64_t ran_ns);

    SchedVcpu* current(uint32_t cpu) const { return cpu < cpus_ ? rq_[cpu].current : nullptr; }
    uint64_t next_accounting() const { return next_acct_; }
    const Params& params() const { return params_; }

private:
    struct RunQueue {
        SchedVcpu* head[sched_prio_count];
        SchedVcpu** tail[sched_prio_count];  // &last->next, or &head[c] when empty
        SchedVcpu* current;
        uint32_t queued;
    };

    void enqueue(SchedVcpu& v);
    inline void enqueue(RunQueue& q, SchedVcpu& v);
    void dequeue(SchedVcpu& v);
    inline SchedVcpu* take_head(RunQueue& q, uint32_t c);
    // The best queued vCPU (nullptr if none): the head of the first
    // non-empty class, unless a yield or an OVER pick needs the general
    // path (pick_slow).
    inline SchedVcpu* take_plain(RunQueue& q);
    SchedVcpu* take_best(RunQueue& q);
    inline SchedPick pick(uint32_t cpu, uint64_t now);
    SchedPick pick_slow(uint32_t cpu, uint64_t now);
    inline SchedPick start(RunQueue& q, SchedVcpu& v, uint64_t now);
    SchedVcpu* steal(uint32_t cpu);
    void stop_running(SchedVcpu& v, uint64_t now);
    inline void charge(SchedVcpu& v, uint64_t ran_ns);
    void do_accounting(uint64_t now);
    void split_shares();
    inline uint64_t slice_for(const SchedVcpu& v, uint64_t now) const;
    bool any_parked() const;

    Params params_{};
    uint32_t cpus_ = 0;
    uint64_t start_ = 0;
    uint64_t next_acct_ = 0;
    SchedDomain* domains_ = nullptr;
    RunQueue rq_[max_cpus] = {};
};

}  // namespace core

#include "core/credit_sched_inline.h"
