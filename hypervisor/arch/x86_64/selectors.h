/* GDT selectors. Included from assembly and C++.
 * The order of the guest selectors is fixed by SYSRET (Intel SDM Vol. 2B,
 * SYSRET): it loads CS from STAR[63:48]+16 and SS from STAR[63:48]+8. */
#ifndef PVISOR_ARCH_SELECTORS_H
#define PVISOR_ARCH_SELECTORS_H

#define SEL_HV_CODE 0x08
#define SEL_HV_DATA 0x10
/* 0x18 is left empty: SYSRET never reads it, and without a 32-bit
 * ring-3 code segment a guest cannot enter compatibility mode. */
#define SEL_SYSRET_BASE 0x18
#define SEL_GUEST_DATA 0x23
#define SEL_GUEST_CODE 0x2b
#define SEL_TSS 0x30

#define GDT_ENTRIES 8

#endif
