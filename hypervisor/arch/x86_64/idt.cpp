#include "idt.h"

#include "gdt.h"
#include "selectors.h"

extern "C" char trap_stubs[];
extern "C" char trap_stubs_end[];

namespace arch {
namespace {

struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16, "64-bit IDT gate: Intel SDM Vol. 3A, 6.14.1");

struct [[gnu::packed]] IdtPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) Gate g_idt[256];

constexpr uint8_t gate_interrupt = 0x8e;  // present, DPL 0, 64-bit interrupt gate

void set_gate(unsigned vector, uint8_t ist, uint8_t dpl) {
    auto addr = reinterpret_cast<uint64_t>(trap_stubs + vector * 16);
    Gate& g = g_idt[vector];
    g.offset_low = static_cast<uint16_t>(addr);
    g.selector = SEL_HV_CODE;
    g.ist = ist;
    g.type_attr = static_cast<uint8_t>(gate_interrupt | (dpl << 5));
    g.offset_mid = static_cast<uint16_t>(addr >> 16);
    g.offset_high = static_cast<uint32_t>(addr >> 32);
    g.reserved = 0;
}

}  // namespace

void idt_init() {
    static_assert(sizeof g_idt == 256 * 16);
    for (unsigned v = 0; v < 256; ++v) {
        uint8_t ist = v == 2 ? ist_nmi : v == 8 ? ist_double_fault : v == 18 ? ist_machine_check : ist_none;
        set_gate(v, ist, 0);
    }
    IdtPointer idtr{sizeof g_idt - 1, reinterpret_cast<uint64_t>(g_idt)};
    // SAFETY: the IDT is a static array that lives forever.
    asm volatile("lidt %0" : : "m"(idtr));
}

void idt_set_user_callable(uint8_t vector, bool callable) {
    uint8_t ist = g_idt[vector].ist;
    set_gate(vector, ist, callable ? 3 : 0);
}

}  // namespace arch
