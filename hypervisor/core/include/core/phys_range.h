// A range of physical (machine) memory in bytes. The memory map, the boot
// structures to keep and the frame allocator's inputs all speak in these.
#pragma once

#include <stdint.h>

namespace core {

struct PhysRange {
    uint64_t base;
    uint64_t length;
};

// One past the last byte, saturated: firmware memory maps are untrusted and
// base + length may wrap.
constexpr uint64_t range_end(const PhysRange& r) {
    uint64_t end = 0;
    return __builtin_add_overflow(r.base, r.length, &end) ? ~uint64_t{0} : end;
}

}  // namespace core
