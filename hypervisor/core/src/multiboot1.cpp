// Multiboot 1 (the Multiboot Specification 0.6.96, section 3.3): a fixed
// info block whose flags say which fields are valid, pointing at a packed
// memory map, a module array and NUL-terminated strings elsewhere in memory.
#include "multiboot.h"

#include "core/addr.h"
#include "kstd/utility.h"

namespace core::multiboot {
namespace {

constexpr uint32_t flag_mem = 1u << 0;
constexpr uint32_t flag_cmdline = 1u << 2;
constexpr uint32_t flag_mods = 1u << 3;
constexpr uint32_t flag_mmap = 1u << 6;
constexpr uint32_t flag_loader_name = 1u << 9;

constexpr size_t info_read_size = 68;  // through boot_loader_name
constexpr size_t info_full_size = 116;  // through the framebuffer fields
constexpr size_t mmap_entry_min = 20;   // base_addr, length, type after `size`
constexpr size_t module_entry_size = 16;
// A loader string longer than this is treated as missing its NUL.
constexpr size_t max_string_scan = 64 * 1024;

// A string known only by its physical address: read it a page at a time,
// since the reader may reach the page that holds it and not the next one.
// Copies it (truncated) into dst and returns its full length.
kstd::Result<size_t> read_string(const PhysReader& reader, uint64_t phys, char* dst, size_t dst_size,
                                 bool* truncated) {
    size_t len = 0;
    while (len < max_string_scan) {
        uint64_t at = 0;
        if (kstd::add_overflows<uint64_t>(phys, len, &at)) return kstd::Error::inval;
        size_t chunk = static_cast<size_t>(page_size - at % page_size);
        const uint8_t* p = map_bytes(reader, at, chunk);
        if (p == nullptr) return kstd::Error::inval;
        for (size_t i = 0; i < chunk; ++i, ++len) {
            if (len + 1 < dst_size) dst[len] = static_cast<char>(p[i]);
            if (p[i] == 0) {
                dst[kstd::min(len, dst_size - 1)] = '\0';
                if (truncated != nullptr) *truncated = len >= dst_size;
                return len;
            }
        }
    }
    return kstd::Error::inval;
}

kstd::Result<void> parse_mmap(const PhysReader& reader, uint64_t addr, uint32_t length, BootInfo* out) {
    const uint8_t* map = map_bytes(reader, addr, length);
    if (map == nullptr) return kstd::Error::inval;
    // Each entry is preceded by its own size, which excludes the size field.
    size_t off = 0;
    while (off < length) {
        if (length - off < 4) return kstd::Error::inval;
        uint32_t size = load32(map, off);
        if (size < mmap_entry_min || size > length - off - 4) return kstd::Error::inval;
        add_region(out, load64(map, off + 4), load64(map, off + 12), load32(map, off + 20));
        off += 4 + size;
    }
    return add_boot_range(out, addr, length);
}

kstd::Result<void> parse_modules(const PhysReader& reader, uint64_t addr, uint32_t count, BootInfo* out) {
    uint64_t bytes = uint64_t{count} * module_entry_size;
    const uint8_t* mods = map_bytes(reader, addr, bytes);
    if (mods == nullptr) return kstd::Error::inval;
    for (uint32_t i = 0; i < count; ++i) {
        const uint8_t* m = mods + size_t{i} * module_entry_size;
        uint32_t start = load32(m, 0), end = load32(m, 4), string = load32(m, 8);
        if (end < start) return kstd::Error::inval;
        if (i >= BootInfo::max_modules) {
            ++out->modules_dropped;
            continue;
        }
        char name[BootModule::string_size] = "";
        if (string != 0) {
            size_t len = TRY(read_string(reader, string, name, sizeof name, nullptr));
            TRY(add_boot_range(out, string, len + 1));
        }
        add_module(out, start, end, name, sizeof name);
    }
    return add_boot_range(out, addr, bytes);
}

}  // namespace

kstd::Result<void> parse_v1(uint64_t info_phys, const PhysReader& reader, BootInfo* out) {
    const uint8_t* info = map_bytes(reader, info_phys, info_read_size);
    if (info == nullptr) return kstd::Error::inval;
    out->protocol = 1;
    TRY(add_boot_range(out, info_phys, info_full_size));
    uint32_t flags = load32(info, 0);

    if (flags & flag_cmdline) {
        uint32_t at = load32(info, 16);
        size_t len = TRY(read_string(reader, at, out->cmdline, sizeof out->cmdline, &out->cmdline_truncated));
        TRY(add_boot_range(out, at, len + 1));
    }
    if (flags & flag_loader_name) {
        uint32_t at = load32(info, 64);
        size_t len = TRY(read_string(reader, at, out->loader_name, sizeof out->loader_name, nullptr));
        TRY(add_boot_range(out, at, len + 1));
    }
    if (flags & flag_mmap) {
        TRY(parse_mmap(reader, load32(info, 48), load32(info, 44), out));
    } else if (flags & flag_mem) {
        add_basic_memory(out, load32(info, 4), load32(info, 8));
    }
    if ((flags & flag_mods) && load32(info, 20) > 0) TRY(parse_modules(reader, load32(info, 24), load32(info, 20), out));
    return kstd::ok();
}

}  // namespace core::multiboot
