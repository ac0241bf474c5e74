// What the boot loader tells us, in one protocol-neutral struct: the
// command line, the memory map, the modules, where the loader's own
// structures sit (so the frame allocator leaves them alone) and the ACPI
// RSDP if the loader passed one. Parsed from Multiboot 1 (QEMU -kernel) or
// Multiboot 2 (GRUB).
//
// The loader's data is untrusted input: every length and offset is checked
// against the structure that contains it before it is read, and anything
// malformed makes the whole parse fail with Error::inval.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/phys_range.h"
#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

inline constexpr uint32_t multiboot1_magic = 0x2badb002;  // Multiboot 0.6.96, 3.2
inline constexpr uint32_t multiboot2_magic = 0x36d76289;  // Multiboot2 1.0, 3.3

enum class MemoryType : uint8_t { usable, reserved, acpi_reclaimable, acpi_nvs, bad };

const char* memory_type_name(MemoryType type);

struct MemoryRegion {
    uint64_t base;
    uint64_t length;
    MemoryType type;
    uint32_t raw_type;  // the loader's number, for the boot report
};

struct BootModule {
    static constexpr size_t string_size = 128;
    uint64_t start;  // physical, first byte
    uint64_t end;    // physical, one past the last byte
    char string[string_size];  // the loader's string for it, truncated
};

struct BootInfo {
    static constexpr size_t cmdline_size = 512;
    static constexpr size_t loader_name_size = 64;
    static constexpr size_t max_regions = 64;
    static constexpr size_t max_modules = 64;
    static constexpr size_t max_boot_ranges = 80;
    static constexpr size_t rsdp_max = 36;  // an ACPI 2.0+ RSDP

    uint32_t protocol;  // 1 or 2
    char cmdline[cmdline_size];
    bool cmdline_truncated;
    char loader_name[loader_name_size];

    MemoryRegion regions[max_regions];
    size_t region_count;
    size_t regions_dropped;  // entries beyond max_regions

    BootModule modules[max_modules];
    size_t module_count;
    size_t modules_dropped;  // modules beyond max_modules

    // Physical extents of the loader's structures (info block, memory map,
    // module list, strings). Everything is copied out by the parse, so these
    // matter only while the copies are being made; listed for callers that
    // want to keep the originals.
    PhysRange boot_ranges[max_boot_ranges];
    size_t boot_range_count;

    uint8_t rsdp[rsdp_max];  // a copy of the RSDP bytes
    size_t rsdp_size;        // 0 if absent, 20 (ACPI 1.0) or 36 (2.0+)
};

// Reads physical memory for the parser: the hypervisor through its direct
// map, tests from a buffer. map() returns the bytes [phys, phys + len)
// readable in place, or nullptr if any of them is not accessible; this base
// class reaches nothing.
class PhysReader {
public:
    virtual const void* map(uint64_t phys, size_t len) const;

protected:
    ~PhysReader() = default;
};

// magic is the value the loader left in eax. Error::inval for an unknown
// magic or malformed data, Error::nospc if there are more boot structures
// than boot_ranges holds. On error *out is left cleared but partly filled.
[[nodiscard]] kstd::Result<void> parse_multiboot(uint32_t magic, uint64_t info_phys, const PhysReader& reader,
                                                 BootInfo* out);

// Total bytes in usable regions (overlapping entries count twice).
uint64_t usable_bytes(const BootInfo& info);

// The usable regions as PhysRanges for FrameAllocator::create(); returns
// how many were written, or Error::nospc if out is too small.
[[nodiscard]] kstd::Result<size_t> usable_ranges(const BootInfo& info, kstd::span<PhysRange> out);

// Everything the frame allocator must never hand out: non-usable regions
// (firmware maps do overlap them with usable ones), the modules and the
// boot structures. Error::nospc if out is too small.
[[nodiscard]] kstd::Result<size_t> reserved_ranges(const BootInfo& info, kstd::span<PhysRange> out);

}  // namespace core
