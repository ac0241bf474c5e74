// Loads a static ELF64 x86-64 executable into the user region.
#pragma once

#include <stdint.h>

#include <kstd/result.h>

namespace pvk {

// Zeroes the user region, copies the PT_LOAD segments (which must lie
// inside it) and returns the entry point. The image is untrusted input.
kstd::Result<uint64_t> load_user_elf(const uint8_t* image, uint64_t size);

}  // namespace pvk
