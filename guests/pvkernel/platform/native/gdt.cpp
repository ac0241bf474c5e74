// The GDT and the TSS. User selectors match pvisor's guest selectors.
#include "native.h"
#include "selectors.h"

namespace pvk::native {
namespace {

// Intel SDM Vol. 3A, 8.7: the 64-bit TSS.
struct [[gnu::packed]] Tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

// Descriptor encodings (Intel SDM Vol. 3A, 3.4.5): 64-bit code has L=1;
// data descriptors ignore base and limit in long mode.
constexpr uint64_t desc_code64(unsigned dpl) { return 0x00af9a000000ffffull | (uint64_t{dpl} << 45); }
constexpr uint64_t desc_data(unsigned dpl) { return 0x00cf92000000ffffull | (uint64_t{dpl} << 45); }
constexpr uint64_t desc_code32(unsigned dpl) { return 0x00cf9a000000ffffull | (uint64_t{dpl} << 45); }

struct [[gnu::packed]] DescriptorPointer {
    uint16_t limit;
    uint64_t base;
};

alignas(16) constinit uint64_t g_gdt[GDT_ENTRIES] = {};
alignas(16) constinit Tss g_tss = {};

}  // namespace

void gdt_init(uint64_t entry_stack_top, uint64_t df_stack_top) {
    g_gdt[SEL_KERNEL_CODE >> 3] = desc_code64(0);
    g_gdt[SEL_KERNEL_DATA >> 3] = desc_data(0);
    g_gdt[SEL_USER_CODE32 >> 3] = desc_code32(3);
    g_gdt[SEL_USER_DATA >> 3] = desc_data(3);
    g_gdt[SEL_USER_CODE >> 3] = desc_code64(3);

    g_tss.rsp[0] = entry_stack_top;
    g_tss.ist[0] = df_stack_top;  // IST 1
    // No I/O permission bitmap: with IOPL 0 every port access from ring 3
    // raises #GP, as on pvisor.
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
        : "m"(gdtr), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA), "r"(SEL_TSS)
        : "rax", "memory");
}

}  // namespace pvk::native
