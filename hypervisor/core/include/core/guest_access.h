// How core code reaches guest memory and changes a vCPU's address space.
// The hypervisor implements it with fault-checked copies on the vCPU's
// live page tables (arch/x86_64/guest_access.cpp); unit tests with a buffer.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "kstd/result.h"

#if PVISOR_HYPERVISOR
// The hypervisor's fault-checked copy (arch/x86_64/syscall_entry.S): 0, or
// the number of bytes not copied.
extern "C" uint64_t guest_copy(void* dst, const void* src, size_t n);
#endif

namespace core {

class Vcpu;
enum class VcpuMode : uint8_t;

class GuestAccess {
public:
    // Error::fault if any byte is unmapped, not writable (for copy_to), or
    // outside what guest_range_ok accepts (every implementation checks
    // that first, so callers need not). A failed copy may have copied a
    // prefix.
    [[nodiscard]] virtual kstd::Result<void> copy_from(void* dst, Gva src, size_t len) = 0;
    [[nodiscard]] virtual kstd::Result<void> copy_to(Gva dst, const void* src, size_t len) = 0;
    // Switches the current vCPU's virtual mode: page-table root and GS base.
    virtual void set_mode(Vcpu& vcpu, VcpuMode mode) = 0;

    // copy_from for the hot paths' small fixed-size reads, true if it
    // succeeded. In the hypervisor, whose one implementation
    // (arch::LiveGuestAccess) is guest_range_ok and then guest_copy, it
    // makes those two steps inline, without the virtual call; elsewhere
    // (the host's fakes) it is copy_from.
    [[gnu::always_inline]] bool read(void* dst, Gva src, size_t len);

protected:
    ~GuestAccess() = default;
};

// True if [va, va+len) is canonical, does not wrap, and stays clear of the
// hypervisor's PML4 slots: the checks every guest pointer passes first.
inline bool guest_range_ok(uint64_t va, uint64_t len) {
    uint64_t last;
    if (__builtin_add_overflow(va, len == 0 ? 0 : len - 1, &last)) return false;
    // Both ends canonical and no wrap, so the range cannot straddle the
    // non-canonical hole; it must also miss the hypervisor's slots
    // (pvisor/abi.h: PV_HYPERVISOR_VIRT_START..END).
    return (last < 0x0000800000000000ull || va >= 0xffff880000000000ull);
}

inline bool GuestAccess::read(void* dst, Gva src, size_t len) {
#if PVISOR_HYPERVISOR
    // SAFETY: the range is canonical and outside the hypervisor's slots, so
    // the worst it can do is fault, which guest_copy's fixup turns into a
    // short count. Guest pages are user pages the hypervisor may read.
    // (arch::LiveGuestAccess::copy_from is this.)
    return guest_range_ok(src.raw, len) && guest_copy(dst, reinterpret_cast<const void*>(src.raw), len) == 0;
#else
    return copy_from(dst, src, len).is_ok();
#endif
}

}  // namespace core
