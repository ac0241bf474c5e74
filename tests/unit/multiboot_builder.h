// Synthetic boot loader memory for the boot_info tests: a buffer that
// pretends to sit at a physical address, and builders for Multiboot 1 and
// Multiboot 2 structures inside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/boot_info.h"

namespace testing_mb {

// Physical memory [base, base + size) backed by a vector. When
// page_granular is set, map() refuses ranges that cross a 4 KiB boundary,
// like a reader that maps one page at a time.
class FakeMemory final : public core::PhysReader {
public:
    explicit FakeMemory(uint64_t base = 0x200000, size_t size = 64 * 1024) : base_(base), bytes_(size, 0xcc) {}

    const void* map(uint64_t phys, size_t len) const override;

    // Places bytes at the next free spot aligned to `align` and returns
    // their physical address.
    uint64_t put(const void* data, size_t len, size_t align = 8);
    uint64_t put_string(const std::string& s) { return put(s.c_str(), s.size() + 1, 1); }
    // Places bytes at an exact physical address.
    void put_at(uint64_t phys, const void* data, size_t len);
    uint8_t* at(uint64_t phys) { return bytes_.data() + (phys - base_); }
    // Moves the allocation cursor (for placing something at a chosen spot).
    void skip_to(uint64_t phys) { next_ = phys - base_; }

    uint64_t base() const { return base_; }
    uint64_t end() const { return base_ + bytes_.size(); }
    bool page_granular = false;

private:
    uint64_t base_;
    std::vector<uint8_t> bytes_;
    size_t next_ = 0;
};

struct Mb1Module {
    uint32_t start, end;
    std::string string;
};
struct MmapEntry {
    uint64_t base, length;
    uint32_t type;
};

// Multiboot 1: writes the pieces, then the info block; returns its address.
struct Mb1Builder {
    uint32_t flags = 0;
    uint32_t mem_lower = 0, mem_upper = 0;
    std::string cmdline, loader_name;
    std::vector<MmapEntry> mmap;
    uint32_t mmap_entry_size = 20;  // the `size` field of each entry
    std::vector<Mb1Module> modules;

    uint64_t build(FakeMemory& mem) const;
};

// Multiboot 2: tags appended in order; finish() adds the end tag and sets
// total_size, then copies the block into memory.
class Mb2Builder {
public:
    Mb2Builder& tag(uint32_t type, const std::vector<uint8_t>& payload);
    Mb2Builder& string_tag(uint32_t type, const std::string& s);
    Mb2Builder& module(uint32_t start, uint32_t end, const std::string& s);
    Mb2Builder& mmap(const std::vector<MmapEntry>& entries, uint32_t entry_size = 24);
    Mb2Builder& basic_meminfo(uint32_t lower_kib, uint32_t upper_kib);
    Mb2Builder& end_tag();
    std::vector<uint8_t> bytes(bool with_end = true) const;
    uint64_t build(FakeMemory& mem, bool with_end = true) const;

private:
    std::vector<uint8_t> tags_;
};

std::vector<uint8_t> le32(uint32_t v);
std::vector<uint8_t> le64(uint64_t v);

}  // namespace testing_mb
