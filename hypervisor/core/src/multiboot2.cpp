// Multiboot2 (the Multiboot2 Specification 1.0, section 3.6): one block of
// 8-byte-aligned tags, each {type, size}, ending with a tag of type 0.
// Everything lives inside the block, so every read is bounded by its
// total_size.
#include "multiboot.h"

#include "kstd/utility.h"

namespace core::multiboot {
namespace {

enum TagType : uint32_t {
    tag_end = 0,
    tag_cmdline = 1,
    tag_loader_name = 2,
    tag_module = 3,
    tag_basic_meminfo = 4,
    tag_mmap = 6,
    tag_acpi_old = 14,
    tag_acpi_new = 15,
};

constexpr size_t tag_header = 8;
constexpr size_t module_fixed = 16;  // header, mod_start, mod_end
constexpr size_t mmap_fixed = 16;    // header, entry_size, entry_version
constexpr size_t mmap_entry_min = 24;
constexpr size_t rsdp_v1_size = 20;  // ACPI 6.4, 5.2.5.3
constexpr size_t rsdp_v2_size = 36;

kstd::Result<void> parse_mmap(const uint8_t* tag, uint32_t size, BootInfo* out) {
    if (size < mmap_fixed) return kstd::Error::inval;
    uint32_t entry_size = load32(tag, 8);
    // The specification promises a multiple of 8 and at least the three
    // fields we read; a zero would also loop forever.
    if (entry_size < mmap_entry_min || entry_size % 8 != 0) return kstd::Error::inval;
    if ((size - mmap_fixed) % entry_size != 0) return kstd::Error::inval;
    for (size_t off = mmap_fixed; off < size; off += entry_size)
        add_region(out, load64(tag, off), load64(tag, off + 8), load32(tag, off + 16));
    return kstd::ok();
}

kstd::Result<void> parse_module(const uint8_t* tag, uint32_t size, BootInfo* out) {
    if (size < module_fixed) return kstd::Error::inval;
    uint32_t start = load32(tag, 8), end = load32(tag, 12);
    if (end < start) return kstd::Error::inval;
    const uint8_t* string = tag + module_fixed;
    size_t len = TRY(bounded_strlen(string, size - module_fixed));
    add_module(out, start, end, reinterpret_cast<const char*>(string), len);
    return kstd::ok();
}

kstd::Result<void> parse_string(const uint8_t* tag, uint32_t size, char* dst, size_t dst_size, bool* truncated) {
    const uint8_t* string = tag + tag_header;
    size_t len = TRY(bounded_strlen(string, size - tag_header));
    bool cut = copy_string(dst, dst_size, reinterpret_cast<const char*>(string), len);
    if (truncated != nullptr) *truncated = cut;
    return kstd::ok();
}

kstd::Result<void> parse_rsdp(const uint8_t* tag, uint32_t size, size_t want, BootInfo* out) {
    if (size - tag_header < want) return kstd::Error::inval;
    // An ACPI 2.0 RSDP (tag 15) is preferred over a 1.0 copy whatever the order.
    if (out->rsdp_size > want) return kstd::ok();
    __builtin_memcpy(out->rsdp, tag + tag_header, want);
    out->rsdp_size = want;
    return kstd::ok();
}

}  // namespace

kstd::Result<void> parse_v2(uint64_t info_phys, const PhysReader& reader, BootInfo* out) {
    if (info_phys % 8 != 0) return kstd::Error::inval;
    const uint8_t* head = map_bytes(reader, info_phys, 8);
    if (head == nullptr) return kstd::Error::inval;
    uint32_t total = load32(head, 0);
    if (total < 8 + tag_header) return kstd::Error::inval;
    const uint8_t* info = map_bytes(reader, info_phys, total);
    if (info == nullptr) return kstd::Error::inval;
    out->protocol = 2;
    TRY(add_boot_range(out, info_phys, total));

    bool have_basic = false;
    uint32_t lower_kib = 0, upper_kib = 0;
    size_t off = 8;
    for (;;) {
        // Reaching the end of the block without an end tag is malformed.
        if (off >= total || total - off < tag_header) return kstd::Error::inval;
        const uint8_t* tag = info + off;
        uint32_t type = load32(tag, 0), size = load32(tag, 4);
        if (size < tag_header || size > total - off) return kstd::Error::inval;

        switch (type) {
        case tag_end:
            if (size != tag_header) return kstd::Error::inval;
            if (!have_basic || out->region_count > 0) return kstd::ok();
            add_basic_memory(out, lower_kib, upper_kib);
            return kstd::ok();
        case tag_cmdline:
            TRY(parse_string(tag, size, out->cmdline, sizeof out->cmdline, &out->cmdline_truncated));
            break;
        case tag_loader_name:
            TRY(parse_string(tag, size, out->loader_name, sizeof out->loader_name, nullptr));
            break;
        case tag_module: TRY(parse_module(tag, size, out)); break;
        case tag_basic_meminfo:
            if (size < tag_header + 8) return kstd::Error::inval;
            have_basic = true;
            lower_kib = load32(tag, 8);
            upper_kib = load32(tag, 12);
            break;
        case tag_mmap: TRY(parse_mmap(tag, size, out)); break;
        case tag_acpi_old: TRY(parse_rsdp(tag, size, rsdp_v1_size, out)); break;
        case tag_acpi_new: TRY(parse_rsdp(tag, size, rsdp_v2_size, out)); break;
        default: break;  // tags we do not use
        }
        off = kstd::align_up<size_t>(off + size, 8);
    }
}

}  // namespace core::multiboot
