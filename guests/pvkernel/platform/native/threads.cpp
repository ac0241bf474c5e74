// Kernel threads switched inside software interrupts (threads.h).
#include "threads.h"

#include "native.h"
#include "pvk/heap.h"
#include "pvk/panic.h"
#include "selectors.h"

extern "C" void pvk_native_wake_entry();
extern "C" void pvk_native_sched_entry();

namespace pvk::native::threads {

enum class State : uint8_t { free, runnable, blocked };

struct Thread {
    uint64_t saved_rsp;  // a SavedThread, while the thread is not running
    State state;
    bool pending;        // an event not yet handled
    Handler handler;
    void* handler_arg;
    void (*entry)(void*);
    void* entry_arg;
    uint8_t* stack;      // null for the boot thread
};

namespace {

// What thread_entry.S leaves on a stack: the pushed registers, then the
// CPU's interrupt frame (Intel SDM Vol. 3A, 6.14.2).
struct SavedThread {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(SavedThread) == 20 * 8);

enum class SchedOp : uint64_t { block, yield, exit };

constexpr uint32_t max_threads = 8;
constexpr uint64_t stack_size = 16 * 1024;

constinit Thread g_threads[max_threads] = {};
constinit Thread* g_current = nullptr;

// Round robin: the first runnable thread after `from`, `from` itself last.
Thread* next_runnable(Thread* from) {
    uint32_t i = static_cast<uint32_t>(from - g_threads);
    for (uint32_t n = 1; n <= max_threads; ++n) {
        Thread* t = &g_threads[(i + n) % max_threads];
        if (t->state == State::runnable) return t;
    }
    panic("threads: every thread is blocked");
}

// The handler runs on the thread's own stack once it is back from the
// interrupt, with interrupts off as throughout the native kernel.
void deliver() {
    Thread* self = g_current;
    if (!self->pending) return;
    self->pending = false;
    if (self->handler != nullptr) self->handler(self->handler_arg);
}

[[noreturn]] void thread_start() {
    Thread* self = g_current;
    self->entry(self->entry_arg);
    exit();
}

}  // namespace

void init() {
    if (g_current != nullptr) return;
    idt_set_gate(vec_wake, pvk_native_wake_entry, 0);
    idt_set_gate(vec_sched, pvk_native_sched_entry, 0);
    g_threads[0].state = State::runnable;
    g_current = &g_threads[0];
}

Thread* current() { return g_current; }

Thread* spawn(void (*entry)(void*), void* arg) {
    Thread* t = nullptr;
    for (Thread& c : g_threads)
        if (c.state == State::free) {
            t = &c;
            break;
        }
    if (t == nullptr) panic("threads: no free slot");
    // The stack of a thread that exited (not running: we are) is reused.
    uint8_t* stack = t->stack != nullptr ? t->stack : static_cast<uint8_t*>(kmalloc(stack_size));
    if (stack == nullptr) panic("threads: no memory for a stack");
    uint64_t top = reinterpret_cast<uint64_t>(stack) + stack_size;
    uint64_t flags;
    // SAFETY: reads RFLAGS (interrupts stay as they are in the new thread).
    asm volatile("pushfq; pop %0" : "=r"(flags));
    // SAFETY: the frame lies inside the new stack, below its top; the
    // entry rsp is 8 below a 16-byte boundary, as after a call.
    auto* f = reinterpret_cast<SavedThread*>(top - 64 - sizeof(SavedThread));
    *f = SavedThread{};
    f->rip = reinterpret_cast<uint64_t>(thread_start);
    f->cs = SEL_KERNEL_CODE;
    f->rflags = flags;
    f->rsp = top - 8;
    f->ss = SEL_KERNEL_DATA;
    *t = Thread{reinterpret_cast<uint64_t>(f), State::runnable, false, nullptr, nullptr, entry, arg, stack};
    return t;
}

void set_handler(Handler h, void* arg) {
    g_current->handler = h;
    g_current->handler_arg = arg;
}

void wake(Thread* t) {
    // SAFETY: vec_wake's handler saves and restores every register but
    // rdi's value, which it only reads.
    asm volatile("int %[v]" : : [v] "i"(vec_wake), "D"(t) : "memory");
    deliver();
}

void block() {
    // SAFETY: as in wake(); the switch away and back happens inside.
    asm volatile("int %[v]" : : [v] "i"(vec_sched), "D"(static_cast<uint64_t>(SchedOp::block)) : "memory");
    deliver();
}

void yield() {
    // SAFETY: as in block().
    asm volatile("int %[v]" : : [v] "i"(vec_sched), "D"(static_cast<uint64_t>(SchedOp::yield)) : "memory");
    deliver();
}

void exit() {
    // SAFETY: as in block(); the exiting thread is never resumed.
    asm volatile("int %[v]" : : [v] "i"(vec_sched), "D"(static_cast<uint64_t>(SchedOp::exit)) : "memory");
    panic("threads: an exited thread ran again");
}

}  // namespace pvk::native::threads

using pvk::native::threads::State;
using pvk::native::threads::Thread;

// The C halves of thread_entry.S: each records the interrupted thread's
// saved stack pointer and returns the one to resume.
extern "C" uint64_t pvk_native_wake_trap(Thread* target, uint64_t saved_rsp) {
    using namespace pvk::native::threads;
    g_current->saved_rsp = saved_rsp;
    target->pending = true;
    if (target->state == State::blocked) {
        target->state = State::runnable;
        g_current = target;
    }
    return g_current->saved_rsp;
}

extern "C" uint64_t pvk_native_sched_trap(uint64_t op, uint64_t saved_rsp) {
    using namespace pvk::native::threads;
    Thread* self = g_current;
    self->saved_rsp = saved_rsp;
    switch (static_cast<SchedOp>(op)) {
    case SchedOp::block:
        if (self->pending) return saved_rsp;
        self->state = State::blocked;
        break;
    case SchedOp::yield: break;
    case SchedOp::exit: self->state = State::free; break;
    }
    g_current = next_runnable(self);
    return g_current->saved_rsp;
}
