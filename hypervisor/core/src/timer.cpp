#include "core/timer.h"

namespace core {

kstd::Result<void> TimerQueue::init(kstd::span<Timer*> storage) {
    if (storage.empty() || storage.size() >= Timer::not_queued) return kstd::Error::inval;
    heap_ = storage.data();
    capacity_ = static_cast<uint32_t>(storage.size());
    size_ = 0;
    refresh_next();
    return kstd::ok();
}

void TimerQueue::place(uint32_t i, Timer* t) {
    heap_[i] = t;
    t->heap_index = i;
}

void TimerQueue::sift_up(uint32_t i) {
    Timer* t = heap_[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(t, heap_[parent])) break;
        place(i, heap_[parent]);
        i = parent;
    }
    place(i, t);
}

void TimerQueue::sift_down(uint32_t i) {
    Timer* t = heap_[i];
    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= size_) break;
        if (child + 1 < size_ && before(heap_[child + 1], heap_[child])) ++child;
        if (!before(heap_[child], t)) break;
        place(i, heap_[child]);
        i = child;
    }
    place(i, t);
}

void TimerQueue::remove_at(uint32_t i) {
    Timer* gone = heap_[i];
    gone->heap_index = Timer::not_queued;
    --size_;
    if (i == size_) return;
    place(i, heap_[size_]);
    if (i > 0 && before(heap_[i], heap_[(i - 1) / 2])) sift_up(i);
    else sift_down(i);
}

kstd::Result<void> TimerQueue::arm(Timer& t, uint64_t deadline, uint64_t period) {
    if (!t.armed() && size_ == capacity_) return kstd::Error::nospc;
    if (t.armed()) remove_at(t.heap_index);
    t.deadline = deadline;
    t.period = period;
    t.seq = next_seq_++;
    place(size_, &t);
    ++size_;
    sift_up(size_ - 1);
    refresh_next();
    return kstd::ok();
}

void TimerQueue::cancel(Timer& t) {
    if (t.armed() && t.heap_index < size_ && heap_[t.heap_index] == &t) remove_at(t.heap_index);
    refresh_next();
}

size_t TimerQueue::expire(uint64_t now, kstd::span<Timer*> fired) {
    size_t n = 0;
    while (n < fired.size() && size_ > 0 && heap_[0]->deadline <= now) {
        Timer* t = heap_[0];
        fired[n++] = t;
        if (t->period == 0) {
            remove_at(0);
            continue;
        }
        // Next deadline strictly after now; late ticks merge into this one.
        uint64_t late = (now - t->deadline) / t->period;
        uint64_t step = 0, next = 0;
        if (__builtin_mul_overflow(late + 1, t->period, &step) || __builtin_add_overflow(t->deadline, step, &next)) {
            remove_at(0);  // the next tick would be past the end of time
            continue;
        }
        t->overruns += late;
        t->deadline = next;
        t->seq = next_seq_++;
        sift_down(0);
    }
    refresh_next();
    return n;
}

}  // namespace core
