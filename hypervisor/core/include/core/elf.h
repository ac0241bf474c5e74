// Reading a PV kernel image: ELF64 headers, loadable segments and the
// PVISOR notes. The image comes from a boot module today and from dom0
// later, so it is untrusted: every offset and size is checked against the
// image before use, and a malformed image is an error, never a fault.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kstd/result.h"
#include "kstd/span.h"

namespace core {

struct ElfSegment {
    uint64_t vaddr;
    uint64_t file_offset;
    uint64_t file_size;
    uint64_t mem_size;  // >= file_size; the rest is zero
    bool writable;
    bool executable;
};

struct ElfImage {
    static constexpr size_t max_segments = 16;

    uint64_t entry;
    ElfSegment segments[max_segments];
    size_t segment_count;
    uint64_t virt_start;  // lowest segment address, page-aligned down
    uint64_t virt_end;    // highest segment end, page-aligned up

    // From the PVISOR notes (pvisor/elfnote.h).
    bool has_abi_version;
    uint32_t abi_version;
    bool has_hypercall_page;
    uint64_t hypercall_page;
    char guest_os[32];
};

// Parses and validates: ELF64, little-endian, x86-64, executable; at most
// max_segments PT_LOAD segments, each inside the file, not wrapping,
// canonical, in the upper half (a kernel), and not overlapping one another
// or the hypervisor's range; the entry point inside an executable segment.
[[nodiscard]] kstd::Result<void> elf_parse(kstd::span<const uint8_t> file, ElfImage* out);

}  // namespace core
