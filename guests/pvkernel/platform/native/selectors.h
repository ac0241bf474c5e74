/* GDT selectors of the native build. Included from assembly and C++.
 * The user selectors equal pvisor's PV_GUEST_CS/SS, and their order is
 * fixed by SYSRET (Intel SDM Vol. 2B, SYSRET): CS = STAR[63:48] + 16,
 * SS = STAR[63:48] + 8. */
#ifndef PVK_NATIVE_SELECTORS_H
#define PVK_NATIVE_SELECTORS_H

#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_USER_CODE32 0x1b /* unused; the SYSRET base */
#define SEL_USER_DATA 0x23
#define SEL_USER_CODE 0x2b
#define SEL_TSS 0x30

#define GDT_ENTRIES 8

#endif
