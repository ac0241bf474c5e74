// A tiny x86-64 decoder for the two instructions a PV guest uses to write
// a page-table entry in place, which the hypervisor emulates when the
// store traps on the read-only mapping of an L1 table:
//
//   mov r64, m64            [REX.W] 89 /r            (REX.W required)
//   lock cmpxchg m64, r64   F0 REX.W 0F B1 /r        (the lock prefix optional)
//
// with every memory form of ModRM/SIB (Intel SDM Vol. 2A, 2.1-2.2):
// base, base + index * scale, displacement 8 or 32, RIP-relative, and SIB
// without base. Everything else is refused: other prefixes (operand or
// address size, segment overrides, rep), register operands, other opcodes.
// The bytes come from the guest, so the decoder never reads past `len`.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/guest_regs.h"
#include "kstd/result.h"

namespace core {

enum class PteStoreKind : uint8_t { mov, cmpxchg };

struct PteStoreInsn {
    PteStoreKind kind;
    uint8_t length;  // bytes, 1-15
    uint8_t reg;     // the source register, 0 = rax ... 15 = r15
    // The memory operand: base (or none, or rip), index (or none), scale,
    // displacement.
    static constexpr uint8_t no_reg = 0xff;
    static constexpr uint8_t rip = 0xfe;
    uint8_t base;
    uint8_t index;
    uint8_t scale;  // 1, 2, 4, 8
    int32_t disp;
};

// Error::inval for anything but the two forms above, or bytes that end
// before the instruction does.
[[nodiscard]] kstd::Result<PteStoreInsn> decode_pte_store(const uint8_t* bytes, size_t len);

// Register n (0 = rax ... 15 = r15, the ModRM numbering) in regs.
uint64_t& guest_reg(GuestRegs& regs, uint8_t n);

// The effective address of the memory operand, for an instruction at
// regs.rip.
uint64_t pte_store_address(const PteStoreInsn& insn, GuestRegs& regs);

}  // namespace core
