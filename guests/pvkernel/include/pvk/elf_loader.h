// Loads a static ELF64 x86-64 executable into a new address space.
#pragma once

#include <stdint.h>

#include <kstd/result.h>

namespace pvk {

class AddressSpace;

struct UserImage {
    uint64_t entry;
    uint64_t end;  // the end of the highest segment: where the heap starts
};

// Maps and fills the PT_LOAD segments (which must lie below the stack
// area of user memory) in `as`, which must be open. The image is
// untrusted input.
kstd::Result<UserImage> load_user_elf(AddressSpace& as, const uint8_t* image, uint64_t size);

}  // namespace pvk
