#include "core/insn_decode.h"

namespace core {
namespace {

using kstd::Error;

constexpr uint8_t prefix_lock = 0xf0;
constexpr size_t max_insn = 15;  // Intel SDM Vol. 2A, 2.3.11

}  // namespace

kstd::Result<PteStoreInsn> decode_pte_store(const uint8_t* bytes, size_t len) {
    if (len > max_insn) len = max_insn;
    size_t i = 0;
    auto next = [&](uint8_t* out) {
        if (i >= len) return false;
        *out = bytes[i++];
        return true;
    };
    uint8_t b;
    if (!next(&b)) return Error::inval;
    bool lock = false;
    if (b == prefix_lock) {
        lock = true;
        if (!next(&b)) return Error::inval;
    }
    // REX (0100WRXB) must come last before the opcode, and W must be set:
    // only 64-bit stores write a whole entry.
    if ((b & 0xf0) != 0x40 || (b & 0x08) == 0) return Error::inval;
    uint8_t rex_r = (b >> 2) & 1, rex_x = (b >> 1) & 1, rex_b = b & 1;
    if (!next(&b)) return Error::inval;

    PteStoreInsn insn{};
    if (b == 0x89) {
        if (lock) return Error::inval;  // lock mov is #UD
        insn.kind = PteStoreKind::mov;
    } else if (b == 0x0f) {
        if (!next(&b) || b != 0xb1) return Error::inval;
        insn.kind = PteStoreKind::cmpxchg;
    } else {
        return Error::inval;
    }

    uint8_t modrm;
    if (!next(&modrm)) return Error::inval;
    uint8_t mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (mod == 3) return Error::inval;  // a register operand: not a store
    insn.reg = static_cast<uint8_t>(reg | (rex_r << 3));
    insn.index = PteStoreInsn::no_reg;
    insn.scale = 1;
    uint8_t disp_bytes = mod == 1 ? 1 : mod == 2 ? 4 : 0;

    if (rm == 4) {
        uint8_t sib;
        if (!next(&sib)) return Error::inval;
        uint8_t ss = sib >> 6, idx = static_cast<uint8_t>(((sib >> 3) & 7) | (rex_x << 3)), base = sib & 7;
        insn.scale = static_cast<uint8_t>(1u << ss);
        if (idx != 4) insn.index = idx;  // index 100 without REX.X: none
        if (base == 5 && mod == 0) {
            insn.base = PteStoreInsn::no_reg;  // disp32, no base
            disp_bytes = 4;
        } else {
            insn.base = static_cast<uint8_t>(base | (rex_b << 3));
        }
    } else if (rm == 5 && mod == 0) {
        insn.base = PteStoreInsn::rip;
        disp_bytes = 4;
    } else {
        insn.base = static_cast<uint8_t>(rm | (rex_b << 3));
    }

    uint32_t disp = 0;
    for (uint8_t k = 0; k < disp_bytes; ++k) {
        if (!next(&b)) return Error::inval;
        disp |= static_cast<uint32_t>(b) << (8 * k);
    }
    if (disp_bytes == 1) disp = static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(disp)));
    insn.disp = static_cast<int32_t>(disp);
    insn.length = static_cast<uint8_t>(i);
    return insn;
}

uint64_t& guest_reg(GuestRegs& r, uint8_t n) {
    switch (n & 15) {
    case 0: return r.rax;
    case 1: return r.rcx;
    case 2: return r.rdx;
    case 3: return r.rbx;
    case 4: return r.rsp;
    case 5: return r.rbp;
    case 6: return r.rsi;
    case 7: return r.rdi;
    case 8: return r.r8;
    case 9: return r.r9;
    case 10: return r.r10;
    case 11: return r.r11;
    case 12: return r.r12;
    case 13: return r.r13;
    case 14: return r.r14;
    default: return r.r15;
    }
}

uint64_t pte_store_address(const PteStoreInsn& insn, GuestRegs& regs) {
    uint64_t a = static_cast<uint64_t>(static_cast<int64_t>(insn.disp));
    if (insn.base == PteStoreInsn::rip) a += regs.rip + insn.length;
    else if (insn.base != PteStoreInsn::no_reg) a += guest_reg(regs, insn.base);
    if (insn.index != PteStoreInsn::no_reg) a += guest_reg(regs, insn.index) * insn.scale;
    return a;
}

}  // namespace core
