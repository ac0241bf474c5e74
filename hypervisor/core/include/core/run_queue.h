// A FIFO of runnable vCPUs, linked through the vCPUs themselves, so that
// queueing never allocates. The proportional-share scheduler replaces the
// policy, not this mechanism.
#pragma once

#include <stddef.h>

#include "core/vcpu.h"

namespace core {

class RunQueue {
public:
    void push(Vcpu* v) {
        if (v->queued) return;
        v->queued = true;
        v->next_runnable = nullptr;
        if (tail_ != nullptr) tail_->next_runnable = v;
        else head_ = v;
        tail_ = v;
        ++size_;
    }
    Vcpu* pop() {
        Vcpu* v = head_;
        if (v == nullptr) return nullptr;
        head_ = v->next_runnable;
        if (head_ == nullptr) tail_ = nullptr;
        v->queued = false;
        v->next_runnable = nullptr;
        --size_;
        return v;
    }
    void remove(Vcpu* v) {
        if (!v->queued) return;
        Vcpu* prev = nullptr;
        for (Vcpu* c = head_; c != nullptr; prev = c, c = c->next_runnable) {
            if (c != v) continue;
            if (prev != nullptr) prev->next_runnable = c->next_runnable;
            else head_ = c->next_runnable;
            if (tail_ == c) tail_ = prev;
            break;
        }
        v->queued = false;
        v->next_runnable = nullptr;
        --size_;
    }
    bool empty() const { return head_ == nullptr; }
    size_t size() const { return size_; }

private:
    Vcpu* head_ = nullptr;
    Vcpu* tail_ = nullptr;
    size_t size_ = 0;
};

}  // namespace core
