// Timers: a per-CPU queue of deadlines in system time (ns), a binary
// min-heap over storage the caller provides, so arming never allocates.
// The hypervisor programs its one-shot hardware timer (the LAPIC) for
// next_deadline() and calls expire() when it fires; the caller turns what
// fired into actions by the timer's kind and owner (core/vcpu_timers.h for
// the guest-visible ones).
//
// A periodic timer is re-armed by expire() at its next deadline after now:
// ticks missed while the CPU was busy are merged into one (the timer VIRQ
// is a level, not a count), and `overruns` counts them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

enum class TimerKind : uint8_t { singleshot, periodic, poll_timeout, scheduler };

struct Timer {
    static constexpr uint32_t not_queued = UINT32_MAX;

    uint64_t deadline = 0;
    uint64_t period = 0;      // 0: one-shot
    uint64_t seq = 0;         // arming order, breaks ties between equal deadlines
    uint64_t overruns = 0;    // periodic ticks merged because they were late
    uint32_t owner = 0;       // for the caller (e.g. domain and vCPU)
    TimerKind kind = TimerKind::singleshot;
    uint32_t heap_index = not_queued;

    bool armed() const { return heap_index != not_queued; }
};

class TimerQueue {
public:
    static constexpr uint64_t no_deadline = UINT64_MAX;

    // storage holds the queue's slots: at most storage.size() armed timers.
    [[nodiscard]] kstd::Result<void> init(kstd::span<Timer*> storage);

    // Arms t (re-arming moves it). period 0 makes it one-shot. ENOSPC when
    // every slot is taken (re-arming an armed timer never fails).
    [[nodiscard]] kstd::Result<void> arm(Timer& t, uint64_t deadline, uint64_t period = 0);
    void cancel(Timer& t);

    // Kept in a field: the scheduler compares it on every switch.
    uint64_t next_deadline() const { return next_; }
    size_t size() const { return size_; }

    // Takes the timers due at `now` (deadline <= now), earliest first, up
    // to fired.size() of them, and returns how many. One-shot timers come
    // out disarmed; periodic ones are already re-armed.
    size_t expire(uint64_t now, kstd::span<Timer*> fired);

private:
    bool before(const Timer* a, const Timer* b) const {
        return a->deadline != b->deadline ? a->deadline < b->deadline : a->seq < b->seq;
    }
    void place(uint32_t i, Timer* t);
    void sift_up(uint32_t i);
    void sift_down(uint32_t i);
    void remove_at(uint32_t i);
    void refresh_next() { next_ = size_ == 0 ? no_deadline : heap_[0]->deadline; }

    Timer** heap_ = nullptr;
    uint32_t capacity_ = 0;
    uint32_t size_ = 0;
    uint64_t next_seq_ = 0;
    uint64_t next_ = no_deadline;
};

}  // namespace core
