// libFuzzer target for the Multiboot parsers: the boot loader's data is the
// first untrusted input the hypervisor reads.
//
// Input layout: byte 0 bit 0 picks the protocol (0: Multiboot 1, 1:
// Multiboot 2) and bit 1 makes the reader map at most one page at a time;
// byte 1 is the info block's offset into the memory; the rest of the input
// is physical memory starting at mem_base. Whatever parses is then pushed
// through the consumers of BootInfo: the range helpers, the frame allocator
// and the command-line parser.
#include <stddef.h>
#include <stdint.h>

#include <vector>

#include "core/boot_info.h"
#include "core/cmdline.h"
#include "core/frame_allocator.h"

namespace {

constexpr uint64_t mem_base = 0x10000;

class FuzzMemory final : public core::PhysReader {
public:
    FuzzMemory(const uint8_t* data, size_t size, bool page_granular)
        : data_(data), size_(size), page_granular_(page_granular) {}

    const void* map(uint64_t phys, size_t len) const override {
        if (phys < mem_base || phys - mem_base > size_ || len > size_ - (phys - mem_base)) return nullptr;
        if (page_granular_ && len > 0 && phys / 4096 != (phys + len - 1) / 4096) return nullptr;
        return data_ + (phys - mem_base);
    }

private:
    const uint8_t* data_;
    size_t size_;
    bool page_granular_;
};

void consume(const core::BootInfo& info) {
    (void)core::usable_bytes(info);
    core::PhysRange usable[core::BootInfo::max_regions];
    core::PhysRange reserved[core::BootInfo::max_regions + core::BootInfo::max_modules +
                             core::BootInfo::max_boot_ranges];
    auto nu = core::usable_ranges(info, usable);
    auto nr = core::reserved_ranges(info, reserved);
    if (nu.is_error() || nr.is_error()) __builtin_trap();  // the arrays are sized for the worst case

    kstd::span<const core::PhysRange> u(usable, nu.value()), r(reserved, nr.value());
    size_t words = core::FrameAllocator::bitmap_words_for(u);
    (void)core::FrameAllocator::find_placement(u, r, words * 8 + 1);
    // Memory maps reaching far up need bitmaps too large to build here.
    if (words <= 4096) {
        std::vector<uint64_t> storage(words);
        auto fa = core::FrameAllocator::create(u, r, storage.data(), storage.size());
        if (fa.is_error()) __builtin_trap();
        for (int i = 0; i < 8; ++i) {
            auto f = fa.value().alloc();
            if (f.is_ok() && !fa.value().is_allocatable(f.value())) __builtin_trap();
        }
    }

    core::Diagnostics diags;
    (void)core::parse_cmdline(info.cmdline, &diags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    bool v2 = (data[0] & 1) != 0;
    FuzzMemory mem(data + 2, size - 2, (data[0] & 2) != 0);
    static core::BootInfo info;  // too large for a comfortable stack frame
    auto r = core::parse_multiboot(v2 ? core::multiboot2_magic : core::multiboot1_magic, mem_base + data[1], mem,
                                   &info);
    if (r.is_ok()) consume(info);
    return 0;
}
