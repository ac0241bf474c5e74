// Addresses have types. A machine address, a machine frame number, a
// guest-virtual address and a guest frame number are all 64-bit integers,
// and mixing them up is the classic hypervisor bug; here each is its own
// type and converting between them is always spelled out.
#pragma once

#include <stdint.h>

namespace core {

inline constexpr uint64_t page_shift = 12;
inline constexpr uint64_t page_size = uint64_t{1} << page_shift;

template <typename Tag>
struct TypedU64 {
    uint64_t raw = 0;

    constexpr TypedU64() = default;
    constexpr explicit TypedU64(uint64_t v) : raw(v) {}
    // Spelled out rather than a defaulted <=>, which needs the hosted
    // <compare> header that freestanding code cannot include.
    constexpr bool operator==(const TypedU64&) const = default;
    constexpr bool operator<(const TypedU64& o) const { return raw < o.raw; }
    constexpr bool operator<=(const TypedU64& o) const { return raw <= o.raw; }
    constexpr bool operator>(const TypedU64& o) const { return raw > o.raw; }
    constexpr bool operator>=(const TypedU64& o) const { return raw >= o.raw; }
};

struct MaddrTag {};
struct MfnTag {};
struct GvaTag {};
struct GfnTag {};

using Maddr = TypedU64<MaddrTag>;  // machine (host-physical) byte address
using Mfn = TypedU64<MfnTag>;      // machine frame number
using Gva = TypedU64<GvaTag>;      // guest-virtual byte address
using Gfn = TypedU64<GfnTag>;      // guest frame number (pseudo-physical)

constexpr Maddr to_maddr(Mfn f) { return Maddr(f.raw << page_shift); }
constexpr Mfn to_mfn(Maddr a) { return Mfn(a.raw >> page_shift); }

// x86-64 canonical form with 48-bit virtual addresses (Intel SDM Vol. 1,
// 3.3.7.1): bits 63:47 all equal.
constexpr bool is_canonical(uint64_t va) {
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1ffff;
}

}  // namespace core
