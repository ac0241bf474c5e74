#include "pvk/user_access.h"

#include <kstd/utility.h>

#include "pvk/boot_info.h"

extern "C" void* memcpy(void* dst, const void* src, size_t n);

namespace pvk {

bool user_range_ok(uint64_t va, uint64_t len) {
    const BootInfo& bi = boot_info();
    uint64_t end;
    if (kstd::add_overflows(va, len, &end)) return false;
    return va >= bi.user_va && end <= bi.user_va + bi.user_size;
}

bool copy_from_user(void* dst, uint64_t src_va, size_t len) {
    if (!user_range_ok(src_va, len)) return false;
    // SAFETY: the range is inside the user region, which the kernel maps
    // read-write at the same address for as long as it runs.
    memcpy(dst, reinterpret_cast<const void*>(src_va), len);
    return true;
}

bool copy_to_user(uint64_t dst_va, const void* src, size_t len) {
    if (!user_range_ok(dst_va, len)) return false;
    // SAFETY: as copy_from_user.
    memcpy(reinterpret_cast<void*>(dst_va), src, len);
    return true;
}

}  // namespace pvk
