#include "core/boot_info.h"

#include "multiboot.h"

namespace core {

const void* PhysReader::map(uint64_t, size_t) const { return nullptr; }

const char* memory_type_name(MemoryType type) {
    switch (type) {
    case MemoryType::usable: return "usable";
    case MemoryType::reserved: return "reserved";
    case MemoryType::acpi_reclaimable: return "ACPI reclaimable";
    case MemoryType::acpi_nvs: return "ACPI NVS";
    case MemoryType::bad: return "bad";
    }
    return "?";
}

namespace multiboot {

void add_region(BootInfo* out, uint64_t base, uint64_t length, uint32_t raw_type) {
    if (out->region_count == BootInfo::max_regions) {
        ++out->regions_dropped;
        return;
    }
    MemoryType type = raw_type == 1   ? MemoryType::usable
                      : raw_type == 3 ? MemoryType::acpi_reclaimable
                      : raw_type == 4 ? MemoryType::acpi_nvs
                      : raw_type == 5 ? MemoryType::bad
                                      : MemoryType::reserved;
    out->regions[out->region_count++] = MemoryRegion{base, length, type, raw_type};
}

void add_basic_memory(BootInfo* out, uint32_t lower_kib, uint32_t upper_kib) {
    add_region(out, 0, uint64_t{lower_kib} * 1024, 1);
    add_region(out, 0x100000, uint64_t{upper_kib} * 1024, 1);
}

void add_module(BootInfo* out, uint64_t start, uint64_t end, const char* string, size_t len) {
    if (out->module_count == BootInfo::max_modules) {
        ++out->modules_dropped;
        return;
    }
    BootModule& m = out->modules[out->module_count++];
    m.start = start;
    m.end = end;
    copy_string(m.string, sizeof m.string, string, len);
}

kstd::Result<void> add_boot_range(BootInfo* out, uint64_t base, uint64_t length) {
    if (out->boot_range_count == BootInfo::max_boot_ranges) return kstd::Error::nospc;
    out->boot_ranges[out->boot_range_count++] = PhysRange{base, length};
    return kstd::ok();
}

bool copy_string(char* dst, size_t dst_size, const char* src, size_t len) {
    size_t n = 0;
    while (n < len && src[n] != '\0') ++n;
    bool cut = n >= dst_size;
    if (cut) n = dst_size - 1;
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
    dst[n] = '\0';
    return cut;
}

kstd::Result<size_t> bounded_strlen(const uint8_t* src, size_t len) {
    for (size_t i = 0; i < len; ++i)
        if (src[i] == 0) return i;
    return kstd::Error::inval;
}

}  // namespace multiboot

kstd::Result<void> parse_multiboot(uint32_t magic, uint64_t info_phys, const PhysReader& reader, BootInfo* out) {
    // Cleared in place: `*out = BootInfo{}` may build a 5 KiB temporary on
    // the small boot stack in an unoptimized build.
    __builtin_memset(out, 0, sizeof *out);
    if (magic == multiboot1_magic) return multiboot::parse_v1(info_phys, reader, out);
    if (magic == multiboot2_magic) return multiboot::parse_v2(info_phys, reader, out);
    return kstd::Error::inval;
}

uint64_t usable_bytes(const BootInfo& info) {
    uint64_t total = 0;
    for (size_t i = 0; i < info.region_count; ++i) {
        const MemoryRegion& r = info.regions[i];
        if (r.type == MemoryType::usable && __builtin_add_overflow(total, r.length, &total)) return ~uint64_t{0};
    }
    return total;
}

namespace {

// Appends r to out at *n, skipping empty ranges.
kstd::Result<void> push(kstd::span<PhysRange> out, size_t* n, PhysRange r) {
    if (r.length == 0) return kstd::ok();
    if (*n == out.size()) return kstd::Error::nospc;
    out[(*n)++] = r;
    return kstd::ok();
}

}  // namespace

kstd::Result<size_t> usable_ranges(const BootInfo& info, kstd::span<PhysRange> out) {
    size_t n = 0;
    for (size_t i = 0; i < info.region_count; ++i) {
        const MemoryRegion& r = info.regions[i];
        if (r.type == MemoryType::usable) TRY(push(out, &n, {r.base, r.length}));
    }
    return n;
}

kstd::Result<size_t> reserved_ranges(const BootInfo& info, kstd::span<PhysRange> out) {
    size_t n = 0;
    for (size_t i = 0; i < info.region_count; ++i) {
        const MemoryRegion& r = info.regions[i];
        if (r.type != MemoryType::usable) TRY(push(out, &n, {r.base, r.length}));
    }
    for (size_t i = 0; i < info.module_count; ++i)
        TRY(push(out, &n, {info.modules[i].start, info.modules[i].end - info.modules[i].start}));
    for (size_t i = 0; i < info.boot_range_count; ++i) TRY(push(out, &n, info.boot_ranges[i]));
    return n;
}

}  // namespace core
