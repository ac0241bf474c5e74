// Fuzzes the decoder of trapped page-table stores (core/insn_decode.h),
// which parses guest-controlled instruction bytes: any input must decode
// without reading past its end (ASan), and an accepted instruction must
// be one of the two emulated forms, no longer than the input or 15 bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "core/insn_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // An exact-size copy so ASan sees any read past the end.
    std::vector<uint8_t> bytes(data, data + size);
    auto r = core::decode_pte_store(bytes.data(), bytes.size());
    if (r.is_error()) return 0;
    const core::PteStoreInsn& i = r.value();
    if (i.length == 0 || i.length > 15 || i.length > size) std::abort();
    if (i.reg > 15 || (i.base > 15 && i.base != core::PteStoreInsn::no_reg && i.base != core::PteStoreInsn::rip))
        std::abort();
    if (i.scale != 1 && i.scale != 2 && i.scale != 4 && i.scale != 8) std::abort();
    core::GuestRegs regs{};
    (void)core::pte_store_address(i, regs);
    return 0;
}
