/*
 * pvisor hypercall ABI: segment bases (set_segment_base).
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_SEGMENT_H
#define PVISOR_SEGMENT_H

#define PV_SEGBASE_fs 0u         /* FS base, both modes */
#define PV_SEGBASE_gs_user 1u    /* GS base while in virtual user mode */
#define PV_SEGBASE_gs_kernel 2u  /* GS base while in virtual kernel mode */

#endif /* PVISOR_SEGMENT_H */
