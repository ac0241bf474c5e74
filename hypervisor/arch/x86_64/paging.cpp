#include "paging.h"

#include "core/log.h"
#include "cpu.h"
#include "cpu_info.h"

extern "C" char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[], __bss_end[];

namespace arch {
namespace {

using kstd::Error;
using kstd::Result;

constexpr uint64_t huge_size = 2ull << 20;
constexpr uint64_t early_map_limit = 1ull << 30;  // boot.S maps the first GiB
constexpr uint64_t hv_stacks_base = 0xffff870000000000ull;  // slot 270
constexpr uint64_t hv_stacks_end = 0xffff878000000000ull;

core::FrameAllocator* g_frames = nullptr;
core::Maddr g_root;
bool g_early = true;
uint64_t g_next_stack = hv_stacks_base;

unsigned index_at(uint64_t va, int level) { return static_cast<unsigned>((va >> (12 + 9 * (level - 1))) & 511); }

Result<core::Maddr> alloc_table() {
    core::Mfn f = TRY(g_frames->alloc());
    core::Maddr a = core::to_maddr(f);
    // Before the switch only the first GiB is reachable through boot.S's
    // mapping; the allocator hands out low frames first, so this holds.
    if (g_early && a.raw + core::page_size > early_map_limit) return Error::nomem;
    auto* t = directmap<uint64_t>(a);
    for (int i = 0; i < 512; ++i) t[i] = 0;
    return a;
}

// Returns the entry for va at `level` (1 = 4 KiB PTE, 2 = PDE), creating
// intermediate tables. Fails with EEXIST if a huge page covers va above.
Result<uint64_t*> walk(uint64_t va, int level) {
    uint64_t* table = directmap<uint64_t>(g_root);
    for (int l = 4; l > level; --l) {
        uint64_t& e = table[index_at(va, l)];
        if ((e & pte::present) == 0) {
            core::Maddr t = TRY(alloc_table());
            // Intermediate entries are permissive; the leaf decides.
            e = t.raw | pte::present | pte::writable;
        } else if ((e & pte::huge) != 0) {
            return Error::exist;
        }
        table = directmap<uint64_t>(core::Maddr(e & pte::addr_mask));
    }
    return &table[index_at(va, level)];
}

Result<void> map_range(uint64_t va, uint64_t pa, uint64_t size, uint64_t flags, bool allow_huge) {
    uint64_t end = va + size;
    while (va < end) {
        bool huge_ok = allow_huge && (va % huge_size) == 0 && (pa % huge_size) == 0 && end - va >= huge_size;
        if (huge_ok) {
            uint64_t* e = TRY(walk(va, 2));
            *e = pa | flags | pte::huge;
            va += huge_size;
            pa += huge_size;
        } else {
            uint64_t* e = TRY(walk(va, 1));
            *e = pa | flags;
            va += core::page_size;
            pa += core::page_size;
        }
    }
    return kstd::ok();
}

bool is_mapped(uint64_t va) {
    const uint64_t* table = directmap<uint64_t>(g_root);
    for (int l = 4; l >= 1; --l) {
        uint64_t e = table[index_at(va, l)];
        if ((e & pte::present) == 0) return false;
        if (l == 1 || (e & pte::huge) != 0) return true;
        table = directmap<uint64_t>(core::Maddr(e & pte::addr_mask));
    }
    return false;
}

uint64_t image_pa(const char* sym) { return reinterpret_cast<uint64_t>(sym) - HV_IMAGE_OFFSET; }

}  // namespace

Result<void> paging_init(core::FrameAllocator& frames, kstd::span<const core::PhysRange> direct_ranges) {
    g_frames = &frames;
    g_root = TRY(alloc_table());
    uint64_t g = cpu_info().pge ? pte::global : 0;

    // One PDPT per hypervisor slot, shared by every root from now on.
    auto* root = directmap<uint64_t>(g_root);
    for (int slot = HV_PML4_FIRST_SLOT; slot <= HV_PML4_LAST_SLOT; ++slot) {
        core::Maddr pdpt = TRY(alloc_table());
        root[slot] = pdpt.raw | pte::present | pte::writable;
    }

    const uint64_t data_flags = pte::present | pte::writable | pte::nx | g;
    for (const core::PhysRange& r : direct_ranges) {
        uint64_t start = kstd::align_down(r.base, core::page_size);
        uint64_t end = kstd::align_up(r.base + r.length, core::page_size);
        if (end > HV_DIRECTMAP_SIZE) end = HV_DIRECTMAP_SIZE;
        if (start >= end) continue;
        TRY(map_range(HV_DIRECTMAP_BASE + start, start, end - start, data_flags, true));
    }

    // The image, W^X: text read-execute, rodata read-only, data/bss
    // read-write no-execute. The boot section is not mapped at all.
    auto map_image = [&](const char* from, const char* to, uint64_t flags) {
        auto va = reinterpret_cast<uint64_t>(from);
        return map_range(va, image_pa(from), reinterpret_cast<uint64_t>(to) - va, flags, false);
    };
    TRY(map_image(__text_start, __text_end, pte::present | g));
    TRY(map_image(__rodata_start, __rodata_end, pte::present | pte::nx | g));
    TRY(map_image(__data_start, __bss_end, data_flags));

    write_cr3(g_root.raw);
    g_early = false;
    return kstd::ok();
}

void* directmap_ensure(uint64_t pa, size_t len) {
    if (len == 0 || pa + len < pa || pa + len > HV_DIRECTMAP_SIZE) return nullptr;
    if (g_early) return pa + len <= early_map_limit ? directmap<void>(core::Maddr(pa)) : nullptr;
    uint64_t flags = pte::present | pte::writable | pte::nx;
    for (uint64_t p = kstd::align_down(pa, core::page_size); p < pa + len; p += core::page_size) {
        uint64_t va = HV_DIRECTMAP_BASE + p;
        if (is_mapped(va)) continue;
        Result<uint64_t*> e = walk(va, 1);
        if (e.is_error()) return nullptr;
        *e.value() = p | flags;
        invlpg(va);
    }
    return directmap<void>(core::Maddr(pa));
}

volatile void* mmio_map(uint64_t pa, size_t len) {
    if (len == 0 || pa + len < pa || pa + len > HV_DIRECTMAP_SIZE || g_early) return nullptr;
    // Uncached (PCD|PWT): device registers must not be cached or combined.
    uint64_t flags = pte::present | pte::writable | pte::nx | pte::pcd | pte::pwt;
    for (uint64_t p = kstd::align_down(pa, core::page_size); p < pa + len; p += core::page_size) {
        uint64_t va = HV_DIRECTMAP_BASE + p;
        Result<uint64_t*> e = walk(va, 1);
        if (e.is_error()) return nullptr;
        *e.value() = p | flags;
        invlpg(va);
    }
    return directmap<volatile void>(core::Maddr(pa));
}

Result<StackRange> stack_alloc(size_t pages) {
    uint64_t span = (pages + 1) * core::page_size;
    if (g_next_stack + span > hv_stacks_end) return Error::nomem;
    uint64_t bottom = g_next_stack + core::page_size;  // the page below stays unmapped
    g_next_stack += span;
    for (size_t i = 0; i < pages; ++i) {
        core::Mfn f = TRY(g_frames->alloc());
        uint64_t* e = TRY(walk(bottom + i * core::page_size, 1));
        *e = core::to_maddr(f).raw | pte::present | pte::writable | pte::nx;
    }
    StackRange r{bottom, bottom + pages * core::page_size};
    stacks_register(r);
    return r;
}

void stack_free(StackRange r) {
    for (uint64_t va = r.bottom; va < r.top; va += core::page_size) {
        Result<uint64_t*> e = walk(va, 1);
        if (e.is_error() || (*e.value() & pte::present) == 0) continue;
        core::Mfn f(((*e.value()) & pte::addr_mask) >> core::page_shift);
        *e.value() = 0;
        invlpg(va);
        (void)g_frames->free(f);
    }
    stacks_unregister(r);
}

core::Maddr hv_root() { return g_root; }

const uint64_t* hv_pml4_slots() { return directmap<uint64_t>(g_root) + HV_PML4_FIRST_SLOT; }

ImageLayout image_layout() {
    return {reinterpret_cast<uint64_t>(__text_start), reinterpret_cast<uint64_t>(__text_end),
            reinterpret_cast<uint64_t>(__rodata_start), reinterpret_cast<uint64_t>(__rodata_end),
            reinterpret_cast<uint64_t>(__data_start), reinterpret_cast<uint64_t>(__bss_end)};
}

Result<void> map_hypervisor_range(uint64_t va, core::Maddr pa, uint64_t size) {
    if (g_early || (va % core::page_size) != 0 || (pa.raw % core::page_size) != 0) return Error::inval;
    uint64_t g = cpu_info().pge ? pte::global : 0;
    TRY(map_range(va, pa.raw, kstd::align_up(size, core::page_size), pte::present | pte::writable | pte::nx | g, true));
    return kstd::ok();
}

}  // namespace arch
