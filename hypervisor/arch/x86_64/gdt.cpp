#include "gdt.h"

#include "selectors.h"

namespace arch {
namespace {

// Descriptor encodings (Intel SDM Vol. 3A, 3.4.5): 64-bit code has L=1;
// data descriptors ignore base and limit in long mode.
constexpr uint64_t desc_code64(unsigned dpl) {
    return 0x00af9a000000ffffull | (uint64_t{dpl} << 45);
}
constexpr uint64_t desc_data(unsigned dpl) {
    return 0x00cf92000000ffffull | (uint64_t{dpl} << 45);
}

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) uint64_t g_gdt[GDT_ENTRIES];
alignas(16) Tss g_tss;

}  // namespace

void gdt_init(const uint64_t (&ist_tops)[3]) {
    g_gdt[0] = 0;
    g_gdt[SEL_HV_CODE >> 3] = desc_code64(0);
    g_gdt[SEL_HV_DATA >> 3] = desc_data(0);
    g_gdt[SEL_SYSRET_BASE >> 3] = 0;
    g_gdt[SEL_GUEST_DATA >> 3] = desc_data(3);
    g_gdt[SEL_GUEST_CODE >> 3] = desc_code64(3);

    g_tss = {};
    for (int i = 0; i < 3; ++i) g_tss.ist[i] = ist_tops[i];
    // No I/O permission bitmap: with IOPL 0 every port access from ring 3
    // raises #GP.
    g_tss.iomap_base = sizeof(Tss);

    // A 64-bit TSS descriptor takes two GDT slots (SDM Vol. 3A, 8.2.3).
    auto base = reinterpret_cast<uint64_t>(&g_tss);
    uint64_t limit = sizeof(Tss) - 1;
    g_gdt[SEL_TSS >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
                          (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    g_gdt[(SEL_TSS >> 3) + 1] = base >> 32;

    DescriptorPointer gdtr{sizeof g_gdt - 1, reinterpret_cast<uint64_t>(g_gdt)};
    // SAFETY: the GDT is a static array that lives forever; the far return
    // reloads CS with the new code selector and the data segments follow.
    asm volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
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
        : "m"(gdtr), "i"(SEL_HV_CODE), "i"(SEL_HV_DATA), "r"(SEL_TSS)
        : "rax", "memory");
}

void tss_set_rsp0(uint64_t rsp0) { g_tss.rsp[0] = rsp0; }
Tss& current_tss() { return g_tss; }

}  // namespace arch
