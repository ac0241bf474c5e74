// The IDT: the 32 exception vectors, all through traps.S, and the few
// software-interrupt vectors other files install with idt_set_gate (the
// rest are not present).
#include "native.h"
#include "pvk/trap_frame.h"
#include "selectors.h"

#include <x86/descriptors.h>

namespace pvk::native {
namespace {

alignas(16) constinit x86::Gate g_idt[256] = {};

x86::Gate make_gate(uint64_t handler, uint8_t ist, unsigned dpl) {
    return x86::interrupt_gate(handler, SEL_KERNEL_CODE, ist, dpl);
}

}  // namespace

void idt_init() {
    for (uint32_t v = 0; v < 32; ++v) {
        uint64_t handler = pvk_native_trap_stubs[v];
        // int3 and into may be used from user mode, as PV_TRAP_USER_INT
        // allows on pvisor.
        unsigned dpl = (v == vec_bp || v == vec_of) ? 3 : 0;
        g_idt[v] = make_gate(handler, static_cast<uint8_t>(v == vec_df ? 1 : 0), dpl);
    }
    x86::load_idt(g_idt, 256);
}

void idt_set_gate(uint8_t vector, void (*handler)(), unsigned dpl) {
    // The IDT is live: a present gate is written whole before it can be
    // used, since interrupts are off and only `int` reaches these vectors.
    g_idt[vector] = make_gate(reinterpret_cast<uint64_t>(handler), 0, dpl);
}

}  // namespace pvk::native
