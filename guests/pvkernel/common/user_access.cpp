#include "pvk/user_access.h"

#include <kstd/utility.h>

#include "pvk/address_space.h"
#include "pvk/boot_info.h"
#include "pvk/layout.h"

extern "C" void* memcpy(void* dst, const void* src, size_t n);

namespace pvk {

bool user_range_ok(uint64_t va, uint64_t len) {
    uint64_t end;
    if (kstd::add_overflows(va, len, &end)) return false;
    if (AddressSpace::active() != nullptr) return va >= PVK_USER_VA && end <= PVK_USER_TOP;
    // No process: the boot user region (micro-guest tests run code there).
    const BootInfo& bi = boot_info();
    return va >= bi.user_va && end <= bi.user_va + bi.user_size;
}

namespace {

// Maps what the kernel is about to touch (demand-zero, copy-on-write), so
// that the copy itself cannot fault.
bool prepare(uint64_t va, uint64_t len, bool write) {
    if (!user_range_ok(va, len)) return false;
    AddressSpace* as = AddressSpace::active();
    return as == nullptr || as->prepare(va, len, write).is_ok();
}

}  // namespace

bool copy_from_user(void* dst, uint64_t src_va, size_t len) {
    if (!prepare(src_va, len, false)) return false;
    // SAFETY: the range is user memory of the active address space, mapped
    // at the same address in the kernel's view of it, and was just faulted in.
    memcpy(dst, reinterpret_cast<const void*>(src_va), len);
    return true;
}

bool copy_to_user(uint64_t dst_va, const void* src, size_t len) {
    if (!prepare(dst_va, len, true)) return false;
    // SAFETY: as copy_from_user, made writable by prepare.
    memcpy(reinterpret_cast<void*>(dst_va), src, len);
    return true;
}

}  // namespace pvk
