#include "fake_build_memory.h"

#include <cstdio>
#include <cstring>

namespace fake {
namespace {

std::string describe(const char* what, core::Mfn f) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s mfn %#llx", what, static_cast<unsigned long long>(f.raw));
    return buf;
}

}  // namespace

FakeBuildMemory::FakeBuildMemory(size_t frames) : bytes_(frames * core::page_size, 0), used_(frames, false) {}

kstd::Result<core::Mfn> FakeBuildMemory::alloc_frame() {
    if (allocs >= fail_from || live() == used_.size()) return kstd::Error::nomem;
    // Scrambled: step a prime stride from the last frame, then probe.
    cursor_ = (cursor_ + 37) % used_.size();
    while (used_[cursor_]) cursor_ = (cursor_ + 1) % used_.size();
    used_[cursor_] = true;
    std::memset(bytes_.data() + cursor_ * core::page_size, fresh_byte, core::page_size);
    ++allocs;
    return core::Mfn(cursor_ + 1);
}

void FakeBuildMemory::free_frame(core::Mfn f) {
    if (!valid(f) || !used_[f.raw - 1]) {
        errors.push_back(describe("free of unallocated", f));
        return;
    }
    used_[f.raw - 1] = false;
    std::memset(bytes_.data() + (f.raw - 1) * core::page_size, freed_byte, core::page_size);
    ++frees;
}

void* FakeBuildMemory::map(core::Mfn f) {
    if (!valid(f)) {
        errors.push_back(describe("map of a frame outside memory,", f));
        return scratch_.data();
    }
    if (!used_[f.raw - 1]) errors.push_back(describe("map of unallocated", f));
    return bytes_.data() + (f.raw - 1) * core::page_size;
}

bool FakeBuildMemory::allocated(core::Mfn f) const { return valid(f) && used_[f.raw - 1]; }

const uint8_t* FakeBuildMemory::frame(core::Mfn f) const {
    return valid(f) ? bytes_.data() + (f.raw - 1) * core::page_size : nullptr;
}

namespace {

void walk_level(FakeBuildMemory& mem, core::Mfn table, int level, uint64_t va_prefix, Walk& w) {
    const uint8_t* page = mem.frame(table);
    if (page == nullptr || !mem.allocated(table)) {
        w.errors.push_back(describe("table in unallocated", table));
        return;
    }
    for (uint64_t i = 0; i < 512; ++i) {
        if (level == 4 && i >= 256 && i < 272) continue;
        uint64_t e;
        std::memcpy(&e, page + i * 8, 8);
        if ((e & pte::p) == 0) {
            if (e != 0) w.errors.push_back("a non-present entry with bits set");
            continue;
        }
        uint64_t va = va_prefix | (i << (12 + 9 * (level - 1)));
        if (level == 4 && (va & (uint64_t{1} << 47)) != 0) va |= 0xffff000000000000ull;
        core::Mfn next((e & pte::addr) >> core::page_shift);
        if (level == 1) {
            w.leaves[va] = e;
            continue;
        }
        if ((e & pte::ps) != 0) {
            w.errors.push_back("a superpage");
            continue;
        }
        w.links.push_back(e);
        if (!w.tables.insert(next.raw).second) {
            w.errors.push_back(describe("a table reached twice:", next));
            continue;
        }
        walk_level(mem, next, level - 1, va, w);
    }
}

}  // namespace

Walk walk_tables(FakeBuildMemory& mem, core::Mfn root) {
    Walk w;
    walk_level(mem, root, 4, 0, w);
    return w;
}

}  // namespace fake
