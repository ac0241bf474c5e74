/*
 * pvisor hypercall ABI: how a guest kernel makes a hypercall.
 *
 * The guest reserves one page-aligned page in its image and names it in its
 * PV_ELFNOTE_HYPERCALL_PAGE note (pvisor/elfnote.h); the builder fills it
 * with one PV_HYPERCALL_ENTRY_SIZE-byte stub per hypercall. The guest calls
 * entry n with
 *
 *   arguments in rdi, rsi, rdx, r10, r8 (unused ones are ignored);
 *   the result in rax: 0 or positive on success, -PV_E... on error;
 *   rcx and r11 clobbered, every other register preserved;
 *   only from virtual kernel mode (in user mode the same instruction is the
 *   guest's own system call and is delivered to its system-call callback).
 *
 * The stub's call pushes a return address: guest kernels must be built
 * without a red zone (-mno-red-zone), as every x86-64 kernel is.
 *
 * Freestanding: C11 and C++20.
 */
#ifndef PVISOR_HYPERCALL_H
#define PVISOR_HYPERCALL_H

#include <stdint.h>

#include "pvisor/abi.h"
#include "pvisor/errno.h"
#include "pvisor/hypercall_numbers.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The guest's hypercall page (a symbol of the guest's own linker script). */
extern char pv_hypercall_page[];

static inline int64_t pv_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    int64_t ret;
    /* r10 and r8 have no constraint letters: move them in by hand. */
    __asm__ volatile("mov %[a4], %%r10\n\t"
                     "mov %[a5], %%r8\n\t"
                     "call *%[entry]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
                     : [a4] "r"(a4), [a5] "r"(a5),
                       [entry] "r"(pv_hypercall_page + nr * PV_HYPERCALL_ENTRY_SIZE)
                     : "rcx", "r11", "r10", "r8", "memory");
    return ret;
}

/* The same for calls of fewer arguments: only the registers they take are
 * set (the others are ignored). Declared clobbered all the same, as
 * pv_hypercall declares them. */
#define PV_HYPERCALL_ENTRY_OF(nr) (pv_hypercall_page + (nr) * PV_HYPERCALL_ENTRY_SIZE)

static inline int64_t pv_hypercall0(uint64_t nr)
{
    int64_t ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret)
                     : [entry] "r"(PV_HYPERCALL_ENTRY_OF(nr))
                     : "rcx", "r11", "rdi", "rsi", "rdx", "r10", "r8", "memory");
    return ret;
}

static inline int64_t pv_hypercall1(uint64_t nr, uint64_t a1)
{
    int64_t ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "+D"(a1)
                     : [entry] "r"(PV_HYPERCALL_ENTRY_OF(nr))
                     : "rcx", "r11", "rsi", "rdx", "r10", "r8", "memory");
    return ret;
}

static inline int64_t pv_hypercall2(uint64_t nr, uint64_t a1, uint64_t a2)
{
    int64_t ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "+D"(a1), "+S"(a2)
                     : [entry] "r"(PV_HYPERCALL_ENTRY_OF(nr))
                     : "rcx", "r11", "rdx", "r10", "r8", "memory");
    return ret;
}

static inline int64_t pv_hypercall3(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    int64_t ret;
    __asm__ volatile("call *%[entry]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
                     : [entry] "r"(PV_HYPERCALL_ENTRY_OF(nr))
                     : "rcx", "r11", "r10", "r8", "memory");
    return ret;
}

static inline int64_t pv_hypercall4(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    int64_t ret;
    __asm__ volatile("mov %[a4], %%r10\n\t"
                     "call *%[entry]"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
                     : [a4] "r"(a4), [entry] "r"(PV_HYPERCALL_ENTRY_OF(nr))
                     : "rcx", "r11", "r10", "r8", "memory");
    return ret;
}

#ifdef __cplusplus
}
#endif

#endif /* PVISOR_HYPERCALL_H */
