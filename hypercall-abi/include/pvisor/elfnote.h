/*
 * pvisor hypercall ABI: the ELF notes a PV kernel image carries.
 *
 * A PT_NOTE program header (section headers are not read) with notes
 * whose name is "PVISOR" (PV_ELFNOTE_NAME). The hypercall page must lie in
 * an executable PT_LOAD segment. The builder refuses an image without the
 * PV_ELFNOTE_ABI_VERSION note or with a different major version.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_ELFNOTE_H
#define PVISOR_ELFNOTE_H

#define PV_ELFNOTE_NAME "PVISOR"

/* desc: uint32_t, the PVISOR_ABI_VERSION the kernel was built against. Required. */
#define PV_ELFNOTE_ABI_VERSION 1u
/* desc: uint64_t, virtual address of the page-aligned hypercall page. Required. */
#define PV_ELFNOTE_HYPERCALL_PAGE 2u
/* desc: NUL-terminated string naming the guest OS. Optional; read but not yet used. */
#define PV_ELFNOTE_GUEST_OS 3u

#endif /* PVISOR_ELFNOTE_H */
