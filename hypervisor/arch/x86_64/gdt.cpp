#include "gdt.h"

#include "selectors.h"

namespace arch {
namespace {

alignas(16) uint64_t g_gdt[GDT_ENTRIES];
alignas(16) Tss g_tss;

}  // namespace

void gdt_init(const uint64_t (&ist_tops)[3]) {
    g_gdt[0] = 0;
    g_gdt[SEL_HV_CODE >> 3] = x86::desc_code64(0);
    g_gdt[SEL_HV_DATA >> 3] = x86::desc_data(0);
    g_gdt[SEL_SYSRET_BASE >> 3] = 0;
    g_gdt[SEL_GUEST_DATA >> 3] = x86::desc_data(3);
    g_gdt[SEL_GUEST_CODE >> 3] = x86::desc_code64(3);

    g_tss = {};
    for (int i = 0; i < 3; ++i) g_tss.ist[i] = ist_tops[i];
    // No I/O permission bitmap: with IOPL 0 every port access from ring 3
    // raises #GP.
    g_tss.iomap_base = sizeof(Tss);

    x86::set_tss_descriptor(&g_gdt[SEL_TSS >> 3], g_tss);
    x86::load_gdt(g_gdt, GDT_ENTRIES, SEL_HV_CODE, SEL_HV_DATA, SEL_TSS);
}

void tss_set_rsp0(uint64_t rsp0) { g_tss.rsp[0] = rsp0; }
Tss& current_tss() { return g_tss; }

}  // namespace arch
