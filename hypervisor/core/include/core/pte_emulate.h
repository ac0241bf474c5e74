// Emulation of a trapped write to a page-table entry (SPEC.md section 6):
// a guest kernel may write one of its own L1 entries in place with an
// aligned 8-byte mov or a lock cmpxchg; the page is mapped read-only, so
// the store faults, and the hypervisor checks and performs it as
// mmu_update would, then steps over the instruction.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/guest_regs.h"
#include "core/mm.h"
#include "kstd/result.h"

namespace core {

// The fault was a write to cr2 by the instruction `insn` (len bytes read
// from regs.rip; fewer than 15 if the rest was unreadable), in the address
// space of `root`. On success the entry is written, regs reflect the
// instruction (rax and the arithmetic flags for cmpxchg) and rip is past
// it. Error::inval if it is not an emulated form, its operand is not cr2,
// cr2 is not an 8-byte aligned entry of a validated L1 table of d's;
// otherwise what the new entry's check gives. On error nothing changed.
[[nodiscard]] kstd::Result<void> emulate_trapped_pte_write(MmContext& ctx, MmDomain& d, Mfn root, GuestRegs& regs,
                                                           uint64_t cr2, const uint8_t* insn, size_t len);

// RFLAGS after `cmp a, b` (64-bit): CF, PF, AF, ZF, SF, OF (Intel SDM
// Vol. 2A, CMP); other bits of `rflags` are kept.
uint64_t flags_after_cmp(uint64_t rflags, uint64_t a, uint64_t b);

}  // namespace core
