// Pieces shared by the Multiboot 1 and 2 parsers (boot_info.cpp,
// multiboot1.cpp, multiboot2.cpp). Internal to core.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/boot_info.h"

namespace core::multiboot {

// Loader structures are packed (a Multiboot 1 mmap entry puts a u64 at
// offset 4), so fields are copied out rather than read through a cast.
inline uint32_t load32(const uint8_t* p, size_t off) {
    uint32_t v;
    __builtin_memcpy(&v, p + off, sizeof v);
    return v;
}
inline uint64_t load64(const uint8_t* p, size_t off) {
    uint64_t v;
    __builtin_memcpy(&v, p + off, sizeof v);
    return v;
}

inline const uint8_t* map_bytes(const PhysReader& reader, uint64_t phys, size_t len) {
    return static_cast<const uint8_t*>(reader.map(phys, len));
}

// The memory-map type numbers both protocols share (Multiboot2 1.0, 3.6.8).
void add_region(BootInfo* out, uint64_t base, uint64_t length, uint32_t raw_type);
// The lower/upper memory sizes in KiB, for a loader that gave no map.
void add_basic_memory(BootInfo* out, uint32_t lower_kib, uint32_t upper_kib);
void add_module(BootInfo* out, uint64_t start, uint64_t end, const char* string, size_t len);
[[nodiscard]] kstd::Result<void> add_boot_range(BootInfo* out, uint64_t base, uint64_t length);

// Copies src[0, len) up to its first NUL into dst, always NUL-terminated;
// returns true if it had to cut.
bool copy_string(char* dst, size_t dst_size, const char* src, size_t len);

// Length of the string at src[0, len) up to its NUL, or Error::inval if
// there is no NUL inside the bounds.
[[nodiscard]] kstd::Result<size_t> bounded_strlen(const uint8_t* src, size_t len);

kstd::Result<void> parse_v1(uint64_t info_phys, const PhysReader& reader, BootInfo* out);
kstd::Result<void> parse_v2(uint64_t info_phys, const PhysReader& reader, BootInfo* out);

}  // namespace core::multiboot
