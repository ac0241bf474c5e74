// The IDT: the 32 exception vectors, all through traps.S, and the few
// software-interrupt vectors other files install with idt_set_gate (the
// rest are not present).
#include "native.h"
#include "pvk/trap_frame.h"
#include "selectors.h"

namespace pvk::native {
namespace {

// Intel SDM Vol. 3A, 6.14.1: a 64-bit interrupt gate.
struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;  // P | DPL | type (0xe: interrupt gate, IF cleared)
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16);

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) constinit Gate g_idt[256] = {};

Gate make_gate(uint64_t handler, uint8_t ist, unsigned dpl) {
    return Gate{static_cast<uint16_t>(handler), SEL_KERNEL_CODE, ist, static_cast<uint8_t>(0x8e | (dpl << 5)),
                static_cast<uint16_t>(handler >> 16), static_cast<uint32_t>(handler >> 32), 0};
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
    DescriptorPointer idtr{sizeof g_idt - 1, reinterpret_cast<uint64_t>(g_idt)};
    // SAFETY: the IDT is a static array that lives forever.
    asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

void idt_set_gate(uint8_t vector, void (*handler)(), unsigned dpl) {
    // The IDT is live: a present gate is written whole before it can be
    // used, since interrupts are off and only `int` reaches these vectors.
    g_idt[vector] = make_gate(reinterpret_cast<uint64_t>(handler), 0, dpl);
}

}  // namespace pvk::native
