#include "pvk/fault.h"

#include "pvk/cpu.h"
#include "pvk/kprintf.h"
#include "pvk/layout.h"
#include "pvk/panic.h"

// The linker script collects the PVK_EXTABLE entries between these.
struct ExtableEntry {
    uint64_t fault;
    uint64_t fixup;
};
extern "C" const ExtableEntry __pvk_extable_start[];
extern "C" const ExtableEntry __pvk_extable_end[];

// common/catch.S
extern "C" uint64_t pvk_catch_call(pvk::CatchBuffer* buf, void (*fn)(void*), void* arg);
extern "C" char pvk_catch_resume[];

namespace pvk {
namespace {

constinit FaultInfo g_last_fixed{};
constinit uint64_t g_fixed_count = 0;
constinit CatchBuffer* g_catch = nullptr;
constinit FaultInfo g_caught{};

const ExtableEntry* find_fixup(uint64_t rip) {
    for (const ExtableEntry* e = __pvk_extable_start; e < __pvk_extable_end; ++e)
        if (e->fault == rip) return e;
    return nullptr;
}

// Frame-pointer backtrace. Every kernel stack lives in the image (top
// 2 GiB), which bounds the walk; a bad chain ends it early.
void print_backtrace(uint64_t rbp) {
    kprintf("pvk: backtrace (addr2line -e the .elf):");
    for (int depth = 0; depth < 12; ++depth) {
        if (rbp < PVK_KERNEL_OFFSET || (rbp & 7) != 0) break;
        // SAFETY: rbp is an aligned address inside the kernel image, where
        // the stacks are; the chain was built by the compiler's prologues.
        const auto* fp = reinterpret_cast<const uint64_t*>(rbp);
        if (fp[1] == 0) break;
        kprintf(" %#lx", fp[1]);
        if (fp[0] <= rbp) break;  // stacks grow down: callers sit higher
        rbp = fp[0];
    }
    kprintf("\n");
}

}  // namespace

const FaultInfo& last_fixed_fault() { return g_last_fixed; }
uint64_t fixed_fault_count() { return g_fixed_count; }

CatchResult catch_fault(void (*fn)(void*), void* arg) {
    CatchBuffer buf{};
    g_catch = &buf;
    uint64_t faulted = pvk_catch_call(&buf, fn, arg);
    g_catch = nullptr;
    if (faulted == 0) return CatchResult{false, {}};
    return CatchResult{true, g_caught};
}

}  // namespace pvk

extern "C" void pvk_kernel_trap(pvk::TrapFrame* f) {
    using namespace pvk;
    FaultInfo info{};
    info.vector = f->vector;
    info.has_error_code = (f->flags & TF_HAS_ERROR_CODE) != 0;
    info.error_code = f->error_code;
    info.rip = f->rip;
    // Read first: the report below could fault and overwrite it.
    if (f->vector == vec_pf) info.fault_address = platform::last_fault_address();

    if (const ExtableEntry* e = find_fixup(f->rip)) {
        g_last_fixed = info;
        ++g_fixed_count;
        f->rip = e->fixup;
        return;
    }
    if (g_catch != nullptr) {
        // Resume in pvk_catch_resume, which makes pvk_catch_call return 1
        // on the stack and with the callee-saved registers it was called with.
        CatchBuffer* buf = g_catch;
        g_catch = nullptr;
        g_caught = info;
        f->rip = reinterpret_cast<uint64_t>(pvk_catch_resume);
        f->rsp = buf->rsp;
        f->rax = reinterpret_cast<uint64_t>(buf);
        return;
    }

    kprintf("pvk: kernel exception %s (vector %u) at rip %#lx\n", vector_name(f->vector), f->vector, f->rip);
    kprintf("pvk:   error code %#lx%s, fault address %#lx\n", f->error_code,
            info.has_error_code ? "" : " (none)", info.fault_address);
    kprintf("pvk:   rsp %#lx rflags %#lx rax %#lx rcx %#lx r11 %#lx\n", f->rsp, f->rflags, f->rax, f->rcx,
            f->r11);
    // This function's saved rbp is the interrupted code's: the entry stubs
    // do not touch rbp.
    // SAFETY: reads this function's own frame record.
    print_backtrace(*static_cast<const uint64_t*>(__builtin_frame_address(0)));
    panic("unexpected kernel exception %s at %#lx", vector_name(f->vector), f->rip);
}
