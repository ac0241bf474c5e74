#include "idt.h"

#include "gdt.h"
#include "selectors.h"

extern "C" char trap_stubs[];
extern "C" char trap_stubs_end[];

namespace arch {
namespace {

alignas(16) x86::Gate g_idt[256];

void set_gate(unsigned vector, uint8_t ist, uint8_t dpl) {
    g_idt[vector] = x86::interrupt_gate(reinterpret_cast<uint64_t>(trap_stubs + vector * 16), SEL_HV_CODE, ist, dpl);
}

}  // namespace

void idt_init() {
    static_assert(sizeof g_idt == 256 * 16);
    for (unsigned v = 0; v < 256; ++v) {
        uint8_t ist = v == 2 ? ist_nmi : v == 8 ? ist_double_fault : v == 18 ? ist_machine_check : ist_none;
        set_gate(v, ist, 0);
    }
    x86::load_idt(g_idt, 256);
}

void idt_set_user_callable(uint8_t vector, bool callable) {
    uint8_t ist = g_idt[vector].ist;
    set_gate(vector, ist, callable ? 3 : 0);
}

}  // namespace arch
