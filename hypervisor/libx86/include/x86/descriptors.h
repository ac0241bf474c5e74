// Long-mode descriptor tables (Intel SDM Vol. 3A, chapters 3, 6 and 8): the
// encodings, the TSS, IDT gates and loading a GDT. Shared by the hypervisor
// and pvkernel's native build, which differ only in their selectors.
#pragma once

#include <stdint.h>

namespace x86 {

// The operand of lgdt and lidt.
struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

// 3.4.5: 64-bit code has L=1; data descriptors ignore base and limit in long
// mode; 32-bit code is for compatibility-mode user code (SYSRET's CS base).
constexpr uint64_t desc_code64(unsigned dpl) { return 0x00af9a000000ffffull | (uint64_t{dpl} << 45); }
constexpr uint64_t desc_data(unsigned dpl) { return 0x00cf92000000ffffull | (uint64_t{dpl} << 45); }
constexpr uint64_t desc_code32(unsigned dpl) { return 0x00cf9a000000ffffull | (uint64_t{dpl} << 45); }

// 8.7: the 64-bit TSS.
struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104, "TSS layout: Intel SDM Vol. 3A, 8.7");

// 8.2.3: a 64-bit TSS descriptor takes two GDT slots; writes both.
inline void set_tss_descriptor(uint64_t* slot, const Tss& tss) {
    auto base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = sizeof(Tss) - 1;
    slot[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) | (((limit >> 16) & 0xf) << 48) |
              (((base >> 24) & 0xff) << 56);
    slot[1] = base >> 32;
}

// 6.14.1: a 64-bit interrupt gate (IF cleared on entry).
struct [[gnu::packed]] Gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;  // P | DPL | type
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};
static_assert(sizeof(Gate) == 16, "64-bit IDT gate: Intel SDM Vol. 3A, 6.14.1");

constexpr Gate interrupt_gate(uint64_t handler, uint16_t selector, uint8_t ist, unsigned dpl) {
    return Gate{static_cast<uint16_t>(handler),       selector, ist, static_cast<uint8_t>(0x8e | (dpl << 5)),
                static_cast<uint16_t>(handler >> 16), static_cast<uint32_t>(handler >> 32), 0};
}

// Loads the GDT of `entries` slots at `gdt`, reloads CS with `code` (far
// return) and the data segments with `data` (fs and gs with null), then
// loads the task register with `tss`.
inline void load_gdt(const uint64_t* gdt, unsigned entries, uint16_t code, uint16_t data, uint16_t tss) {
    DescriptorPointer gdtr{static_cast<uint16_t>(entries * 8 - 1), reinterpret_cast<uint64_t>(gdt)};
    // SAFETY: the caller's GDT lives forever and holds valid code, data and
    // TSS descriptors at the selectors given.
    asm volatile(
        "lgdt %0\n\t"
        "pushq %q1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %2, %%eax\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "movl %%eax, %%ss\n\t"
        "xorl %%eax, %%eax\n\t"
        "movl %%eax, %%fs\n\t"
        "movl %%eax, %%gs\n\t"
        "ltr %w3"
        :
        : "m"(gdtr), "r"(uint64_t{code}), "r"(uint32_t{data}), "r"(tss)
        : "rax", "memory");
}

inline void load_idt(const Gate* idt, unsigned entries) {
    DescriptorPointer idtr{static_cast<uint16_t>(entries * sizeof(Gate) - 1), reinterpret_cast<uint64_t>(idt)};
    // SAFETY: the caller's IDT lives forever.
    asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

}  // namespace x86
