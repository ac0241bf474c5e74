#include "core/pte_emulate.h"

#include "core/insn_decode.h"
#include "core/mmu_update.h"
#include "core/pte.h"

namespace core {

uint64_t flags_after_cmp(uint64_t rflags, uint64_t a, uint64_t b) {
    constexpr uint64_t cf = 1u << 0, pf = 1u << 2, af = 1u << 4, zf = 1u << 6, sf = 1u << 7, of = 1u << 11;
    uint64_t r = a - b;
    rflags &= ~(cf | pf | af | zf | sf | of);
    if (a < b) rflags |= cf;
    if ((__builtin_popcount(static_cast<unsigned>(r & 0xff)) & 1) == 0) rflags |= pf;
    if (((a ^ b ^ r) & 0x10) != 0) rflags |= af;
    if (r == 0) rflags |= zf;
    if ((r >> 63) != 0) rflags |= sf;
    if ((((a ^ b) & (a ^ r)) >> 63) != 0) rflags |= of;
    return rflags;
}

kstd::Result<void> emulate_trapped_pte_write(MmContext& ctx, MmDomain& d, Mfn root, GuestRegs& regs, uint64_t cr2,
                                             const uint8_t* insn, size_t len) {
    // Decode: the instruction, its operand, and the table it lands in.
    PteStoreInsn in = TRY(decode_pte_store(insn, len));
    if (pte_store_address(in, regs) != cr2) return kstd::Error::inval;
    uint32_t index = TRY(pte_index_of_store(cr2 & (page_size - 1), sizeof(uint64_t)));
    L1Slot s = TRY(find_l1_slot(ctx, d, root, cr2 & ~(page_size - 1)));
    // SAFETY: s.table is a validated table of d's (find_l1_slot).
    uint64_t e = ctx.access.map_table(s.table)[s.index];
    if (!pte::is_present(e)) return kstd::Error::inval;
    Mfn l1 = pte::mfn_of(e);
    uint64_t val = guest_reg(regs, in.reg);

    // Invoke.
    if (in.kind == PteStoreKind::mov) {
        TRY(emulate_pte_write(ctx, d, l1, index, val));
    } else {
        uint64_t seen = 0;
        bool swapped = TRY(emulate_pte_cmpxchg(ctx, d, l1, index, regs.rax, val, &seen));
        regs.rflags = flags_after_cmp(regs.rflags, regs.rax, swapped ? regs.rax : seen);
        if (!swapped) regs.rax = seen;
    }
    regs.rip += in.length;
    return kstd::ok();
}

}  // namespace core
