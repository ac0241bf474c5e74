// The GDT and the TSS. User selectors match pvisor's guest selectors.
#include "native.h"
#include "selectors.h"

#include <x86/descriptors.h>

namespace pvk::native {
namespace {

alignas(16) constinit uint64_t g_gdt[GDT_ENTRIES] = {};
alignas(16) constinit x86::Tss g_tss = {};

}  // namespace

void gdt_init(uint64_t entry_stack_top, uint64_t df_stack_top) {
    g_gdt[SEL_KERNEL_CODE >> 3] = x86::desc_code64(0);
    g_gdt[SEL_KERNEL_DATA >> 3] = x86::desc_data(0);
    g_gdt[SEL_USER_CODE32 >> 3] = x86::desc_code32(3);
    g_gdt[SEL_USER_DATA >> 3] = x86::desc_data(3);
    g_gdt[SEL_USER_CODE >> 3] = x86::desc_code64(3);

    g_tss.rsp[0] = entry_stack_top;
    g_tss.ist[0] = df_stack_top;  // IST 1
    // No I/O permission bitmap: with IOPL 0 every port access from ring 3
    // raises #GP, as on pvisor.
    g_tss.iomap_base = sizeof(x86::Tss);

    x86::set_tss_descriptor(&g_gdt[SEL_TSS >> 3], g_tss);
    x86::load_gdt(g_gdt, GDT_ENTRIES, SEL_KERNEL_CODE, SEL_KERNEL_DATA, SEL_TSS);
}

}  // namespace pvk::native
