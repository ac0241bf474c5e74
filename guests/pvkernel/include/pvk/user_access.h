// Checked access to user memory. The active process's memory (or, with no
// process, the boot user region) is mapped in the kernel's
// address space at the same address, so after the range check the kernel
// reads it directly. Copies, never references: the program can change its
// memory under the kernel's feet (another vCPU later, a bug now).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace pvk {

// True if [va, va + len) lies inside the user region (len may be 0).
bool user_range_ok(uint64_t va, uint64_t len);

[[nodiscard]] bool copy_from_user(void* dst, uint64_t src_va, size_t len);
[[nodiscard]] bool copy_to_user(uint64_t dst_va, const void* src, size_t len);

}  // namespace pvk
