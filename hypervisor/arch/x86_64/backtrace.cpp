#include "backtrace.h"

#include "core/ksyms.h"
#include "core/log.h"
#include "layout.h"
#include "stacks.h"

extern "C" const char __ksyms_start[], __text_start[], __text_end[];

namespace arch {
namespace {

constexpr int max_frames = 64;

StackRange g_stacks[160];
int g_stack_count = 0;

}  // namespace

void stacks_register(StackRange r) {
    if (g_stack_count < static_cast<int>(sizeof g_stacks / sizeof g_stacks[0])) g_stacks[g_stack_count++] = r;
}

void stacks_unregister(StackRange r) {
    for (int i = 0; i < g_stack_count; ++i) {
        if (g_stacks[i].bottom == r.bottom) {
            g_stacks[i] = g_stacks[--g_stack_count];
            return;
        }
    }
}

bool stacks_contain(uint64_t addr, uint64_t len) {
    for (int i = 0; i < g_stack_count; ++i)
        if (addr >= g_stacks[i].bottom && addr + len <= g_stacks[i].top && addr + len > addr) return true;
    return false;
}

void print_symbolized(uint64_t address) {
    core::SymbolHit hit;
    bool in_text = address >= reinterpret_cast<uint64_t>(__text_start) && address < reinterpret_cast<uint64_t>(__text_end);
    if (in_text && core::ksyms_lookup(__ksyms_start, HV_KSYMS_SIZE, address, &hit))
        core::print("  [<%016lx>] %s+0x%lx\n", address, hit.name, hit.offset);
    else
        core::print("  [<%016lx>] ?\n", address);
}

void print_backtrace(uint64_t rip, uint64_t rbp) {
    core::print("backtrace:\n");
    print_symbolized(rip);
    uint64_t last = 0;
    int repeats = 0;
    for (int i = 0; i < max_frames; ++i) {
        // A frame is [saved rbp][return address]; follow it only while it
        // stays inside a known stack, so a corrupt chain cannot fault here.
        if ((rbp & 7) != 0 || !stacks_contain(rbp, 16)) break;
        const auto* frame = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t ret = frame[1];
        if (ret == 0) break;
        // The return address points after the call; step back into it so the
        // symbol is the caller's even when the call is its last instruction.
        // Runs of one frame (deep recursion) are folded into one line.
        if (ret == last) {
            ++repeats;
        } else {
            if (repeats > 0) core::print("  ... previous frame repeated %d more times\n", repeats);
            repeats = 0;
            print_symbolized(ret - 1);
            last = ret;
        }
        if (frame[0] <= rbp) break;
        rbp = frame[0];
    }
    if (repeats > 0) core::print("  ... previous frame repeated %d more times\n", repeats);
}

}  // namespace arch
