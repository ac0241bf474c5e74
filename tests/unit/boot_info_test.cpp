#include "core/boot_info.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/frame_allocator.h"
#include "multiboot_builder.h"

using core::BootInfo;
using core::MemoryType;
using core::parse_multiboot;
using core::PhysRange;
using kstd::Error;
using namespace testing_mb;

namespace {

constexpr uint32_t mb1_cmdline = 1u << 2, mb1_mods = 1u << 3, mb1_mmap = 1u << 6, mb1_mem = 1u << 0,
                   mb1_loader = 1u << 9;

// BootInfo is large; keep it off the test's stack frame.
struct Parsed {
    kstd::Result<void> result = Error::noent;
    std::unique_ptr<BootInfo> info = std::make_unique<BootInfo>();
};

Parsed parse(uint32_t magic, uint64_t phys, const core::PhysReader& mem) {
    Parsed p;
    p.result = parse_multiboot(magic, phys, mem, p.info.get());
    return p;
}

void expect_inval(uint32_t magic, uint64_t phys, const core::PhysReader& mem) {
    BootInfo info;
    auto r = parse_multiboot(magic, phys, mem, &info);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(r.error(), Error::inval);
}

bool has_range(const BootInfo& info, uint64_t base, uint64_t length) {
    for (size_t i = 0; i < info.boot_range_count; ++i)
        if (info.boot_ranges[i].base == base && info.boot_ranges[i].length == length) return true;
    return false;
}

const std::vector<MmapEntry> sample_mmap = {
    {0, 0x9fc00, 1},          {0x9fc00, 0x400, 2},        {0xf0000, 0x10000, 2},
    {0x100000, 0x7ee0000, 1}, {0x7fe0000, 0x10000, 3},    {0x7ff0000, 0x10000, 4},
    {0xfee00000, 0x1000, 5},  {0xfffc0000, 0x40000, 7},
};

}  // namespace

TEST(BootInfo, UnknownMagicIsRejected) {
    FakeMemory mem;
    uint64_t info = Mb2Builder().build(mem);
    expect_inval(0x12345678, info, mem);
    expect_inval(0, info, mem);
}

TEST(Multiboot1, FullInfoIsParsed) {
    FakeMemory mem;
    Mb1Builder b;
    b.flags = mb1_cmdline | mb1_mods | mb1_mmap | mb1_loader;
    b.cmdline = "/boot/pvisor loglevel=debug";
    b.loader_name = "qemu";
    b.mmap = sample_mmap;
    b.modules = {{0x800000, 0x900123, "dom0 console=hvc0"}, {0x900200, 0x900200, ""}};
    uint64_t phys = b.build(mem);
    Parsed p = parse(core::multiboot1_magic, phys, mem);
    ASSERT_TRUE(p.result.is_ok()) << kstd::error_name(p.result.error());
    const BootInfo& info = *p.info;

    EXPECT_EQ(info.protocol, 1u);
    EXPECT_STREQ(info.cmdline, "/boot/pvisor loglevel=debug");
    EXPECT_FALSE(info.cmdline_truncated);
    EXPECT_STREQ(info.loader_name, "qemu");
    ASSERT_EQ(info.region_count, sample_mmap.size());
    const MemoryType types[] = {MemoryType::usable,   MemoryType::reserved,         MemoryType::reserved,
                                MemoryType::usable,   MemoryType::acpi_reclaimable, MemoryType::acpi_nvs,
                                MemoryType::bad,      MemoryType::reserved};
    for (size_t i = 0; i < sample_mmap.size(); ++i) {
        EXPECT_EQ(info.regions[i].base, sample_mmap[i].base) << i;
        EXPECT_EQ(info.regions[i].length, sample_mmap[i].length) << i;
        EXPECT_EQ(info.regions[i].type, types[i]) << i;
        EXPECT_EQ(info.regions[i].raw_type, sample_mmap[i].type) << i;
    }
    ASSERT_EQ(info.module_count, 2u);
    EXPECT_EQ(info.modules[0].start, 0x800000u);
    EXPECT_EQ(info.modules[0].end, 0x900123u);
    EXPECT_STREQ(info.modules[0].string, "dom0 console=hvc0");
    EXPECT_STREQ(info.modules[1].string, "");
    EXPECT_EQ(info.rsdp_size, 0u);

    EXPECT_TRUE(has_range(info, phys, 116));
    EXPECT_TRUE(has_range(info, mem.base(), b.cmdline.size() + 1)) << "the cmdline was placed first";
    // info, cmdline, loader name, mmap, 2 module strings, module array.
    EXPECT_EQ(info.boot_range_count, 7u);
    EXPECT_EQ(core::usable_bytes(info), 0x9fc00u + 0x7ee0000u);
}

TEST(Multiboot1, LargerMmapEntriesAreStepped) {
    FakeMemory mem;
    Mb1Builder b;
    b.flags = mb1_mmap;
    b.mmap = sample_mmap;
    b.mmap_entry_size = 28;
    Parsed p = parse(core::multiboot1_magic, b.build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    ASSERT_EQ(p.info->region_count, sample_mmap.size());
    EXPECT_EQ(p.info->regions[3].base, 0x100000u);
}

TEST(Multiboot1, NoFlagsMeansNothing) {
    FakeMemory mem;
    Parsed p = parse(core::multiboot1_magic, Mb1Builder().build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(p.info->protocol, 1u);
    EXPECT_STREQ(p.info->cmdline, "");
    EXPECT_EQ(p.info->region_count, 0u);
    EXPECT_EQ(p.info->module_count, 0u);
    EXPECT_EQ(p.info->boot_range_count, 1u);
}

TEST(Multiboot1, BasicMemoryWithoutMap) {
    FakeMemory mem;
    Mb1Builder b;
    b.flags = mb1_mem;
    b.mem_lower = 639;
    b.mem_upper = 130048;
    Parsed p = parse(core::multiboot1_magic, b.build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    ASSERT_EQ(p.info->region_count, 2u);
    EXPECT_EQ(p.info->regions[0].length, 639u * 1024);
    EXPECT_EQ(p.info->regions[1].base, 0x100000u);
    EXPECT_EQ(p.info->regions[1].length, 130048u * 1024);
    // A real map wins over the basic sizes.
    b.flags |= mb1_mmap;
    b.mmap = sample_mmap;
    Parsed q = parse(core::multiboot1_magic, b.build(mem), mem);
    ASSERT_TRUE(q.result.is_ok());
    EXPECT_EQ(q.info->region_count, sample_mmap.size());
}

TEST(Multiboot1, LongCmdlineIsTruncatedSafely) {
    FakeMemory mem;
    Mb1Builder b;
    b.flags = mb1_cmdline | mb1_loader;
    b.cmdline = std::string(1000, 'a');
    b.loader_name = std::string(100, 'L');
    uint64_t phys = b.build(mem);
    Parsed p = parse(core::multiboot1_magic, phys, mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(std::string(p.info->cmdline), std::string(BootInfo::cmdline_size - 1, 'a'));
    EXPECT_TRUE(p.info->cmdline_truncated);
    EXPECT_EQ(std::string(p.info->loader_name), std::string(BootInfo::loader_name_size - 1, 'L'));
    EXPECT_TRUE(has_range(*p.info, mem.base(), 1001)) << "the extent covers the whole original";
}

TEST(Multiboot1, StringsMayCrossPagesOfAPageWiseReader) {
    FakeMemory mem;
    mem.page_granular = true;
    mem.skip_to(mem.base() + 4096 - 5);
    Mb1Builder b;
    b.flags = mb1_cmdline;
    b.cmdline = "crash=pf loglevel=debug";
    uint64_t phys = b.build(mem);
    Parsed p = parse(core::multiboot1_magic, phys, mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_STREQ(p.info->cmdline, "crash=pf loglevel=debug");
}

TEST(Multiboot1, TooManyModulesAndRegionsAreCounted) {
    FakeMemory mem;
    Mb1Builder b;
    b.flags = mb1_mods | mb1_mmap;
    const auto n_modules = static_cast<uint32_t>(BootInfo::max_modules + 4);
    for (uint32_t i = 0; i < n_modules; ++i)
        b.modules.push_back({0x1000000 + i * 0x1000, 0x1000800 + i * 0x1000, "m" + std::to_string(i)});
    for (uint64_t i = 0; i < 70; ++i) b.mmap.push_back({i << 20, 1 << 20, 1});
    Parsed p = parse(core::multiboot1_magic, b.build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(p.info->module_count, BootInfo::max_modules);
    EXPECT_EQ(p.info->modules_dropped, 4u);
    EXPECT_STREQ(p.info->modules[15].string, "m15");
    EXPECT_EQ(p.info->region_count, BootInfo::max_regions);
    EXPECT_EQ(p.info->regions_dropped, 6u);
}

TEST(Multiboot1, MalformedInputIsRejected) {
    auto with = [](auto tweak) {
        FakeMemory mem;
        Mb1Builder b;
        b.flags = mb1_cmdline | mb1_mods | mb1_mmap;
        b.cmdline = "x";
        b.mmap = sample_mmap;
        b.modules = {{0x800000, 0x900000, "mod"}};
        uint64_t phys = b.build(mem);
        tweak(mem, mem.at(phys));
        expect_inval(core::multiboot1_magic, phys, mem);
    };
    auto set = [](uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); };
    auto get = [](const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; };
    // The info block itself out of reach.
    {
        FakeMemory mem;
        expect_inval(core::multiboot1_magic, mem.end() - 16, mem);
        expect_inval(core::multiboot1_magic, 0x1000, mem);
    }
    with([&](FakeMemory&, uint8_t* info) { set(info + 16, 0x10); });                 // cmdline unmapped
    with([&](FakeMemory& m, uint8_t* info) { std::memset(m.at(get(info + 16)), 'x', m.end() - get(info + 16)); });  // no NUL
    with([&](FakeMemory& m, uint8_t* info) { set(m.at(get(info + 48)), 0); });       // mmap entry size 0
    with([&](FakeMemory& m, uint8_t* info) { set(m.at(get(info + 48)), 19); });      // too small for an entry
    with([&](FakeMemory& m, uint8_t* info) { set(m.at(get(info + 48)), 0xffffffff); });  // beyond the map
    with([&](FakeMemory&, uint8_t* info) { set(info + 44, get(info + 44) - 1); });   // map cut mid-entry
    with([&](FakeMemory&, uint8_t* info) { set(info + 44, get(info + 44) + 2); });   // 2 trailing bytes
    with([&](FakeMemory&, uint8_t* info) { set(info + 48, 0x1000); });               // map unmapped
    with([&](FakeMemory&, uint8_t* info) { set(info + 44, 0x7fffffff); });           // huge map
    with([&](FakeMemory&, uint8_t* info) { set(info + 20, 0xffffffff); });           // huge module count
    with([&](FakeMemory&, uint8_t* info) { set(info + 24, 0x10); });                 // module array unmapped
    with([&](FakeMemory& m, uint8_t* info) { set(m.at(get(info + 24)) + 4, 0x7fffff); });  // end < start
    with([&](FakeMemory& m, uint8_t* info) { set(m.at(get(info + 24)) + 8, 0x20); });      // string unmapped
}

TEST(Multiboot2, FullInfoIsParsed) {
    FakeMemory mem;
    std::vector<uint8_t> rsdp1(20, 0x11), rsdp2(36, 0x22);
    Mb2Builder b;
    b.string_tag(1, "loglevel=info crash=ud")
        .string_tag(2, "GRUB 2.06")
        .tag(15, rsdp2)
        .module(0x800000, 0x8abcde, "dom0")
        .tag(21, {1, 2, 3})  // load base address: not used, skipped
        .basic_meminfo(639, 1000)
        .mmap(sample_mmap)
        .module(0x900000, 0x900100, "initrd")
        .tag(14, rsdp1);
    uint64_t phys = b.build(mem);
    Parsed p = parse(core::multiboot2_magic, phys, mem);
    ASSERT_TRUE(p.result.is_ok()) << kstd::error_name(p.result.error());
    const BootInfo& info = *p.info;
    EXPECT_EQ(info.protocol, 2u);
    EXPECT_STREQ(info.cmdline, "loglevel=info crash=ud");
    EXPECT_STREQ(info.loader_name, "GRUB 2.06");
    ASSERT_EQ(info.module_count, 2u);
    EXPECT_EQ(info.modules[0].start, 0x800000u);
    EXPECT_EQ(info.modules[0].end, 0x8abcdeu);
    EXPECT_STREQ(info.modules[0].string, "dom0");
    EXPECT_STREQ(info.modules[1].string, "initrd");
    ASSERT_EQ(info.region_count, sample_mmap.size()) << "basic meminfo is ignored when a map exists";
    EXPECT_EQ(info.regions[4].type, MemoryType::acpi_reclaimable);
    EXPECT_EQ(info.regions[7].type, MemoryType::reserved);
    ASSERT_EQ(info.rsdp_size, 36u) << "the ACPI 2.0 copy wins even though 1.0 came later";
    EXPECT_EQ(std::vector<uint8_t>(info.rsdp, info.rsdp + 36), rsdp2);
    ASSERT_EQ(info.boot_range_count, 1u);
    EXPECT_EQ(info.boot_ranges[0].base, phys);
    EXPECT_EQ(info.boot_ranges[0].length, b.bytes().size());
}

TEST(Multiboot2, OldRsdpAlone) {
    FakeMemory mem;
    std::vector<uint8_t> rsdp1(24, 0x33);  // 20 bytes plus padding the loader left
    Parsed p = parse(core::multiboot2_magic, Mb2Builder().tag(14, rsdp1).build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(p.info->rsdp_size, 20u);
    EXPECT_EQ(p.info->rsdp[19], 0x33);
}

TEST(Multiboot2, BasicMeminfoWithoutMap) {
    FakeMemory mem;
    Parsed p = parse(core::multiboot2_magic, Mb2Builder().basic_meminfo(640, 2048).build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    ASSERT_EQ(p.info->region_count, 2u);
    EXPECT_EQ(p.info->regions[1].length, 2048u * 1024);
}

TEST(Multiboot2, WiderMmapEntries) {
    FakeMemory mem;
    Parsed p = parse(core::multiboot2_magic, Mb2Builder().mmap(sample_mmap, 32).build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    ASSERT_EQ(p.info->region_count, sample_mmap.size());
    EXPECT_EQ(p.info->regions[7].base, 0xfffc0000u);
}

TEST(Multiboot2, EmptyBlockIsFine) {
    FakeMemory mem;
    Parsed p = parse(core::multiboot2_magic, Mb2Builder().build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(p.info->region_count, 0u);
}

TEST(Multiboot2, LongStringsAreTruncated) {
    FakeMemory mem;
    Parsed p = parse(core::multiboot2_magic,
                     Mb2Builder().string_tag(1, std::string(600, 'c')).module(1, 2, std::string(300, 'm')).build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(std::strlen(p.info->cmdline), BootInfo::cmdline_size - 1);
    EXPECT_TRUE(p.info->cmdline_truncated);
    EXPECT_EQ(std::strlen(p.info->modules[0].string), core::BootModule::string_size - 1);
}

TEST(Multiboot2, TooManyModulesAndRegionsAreCounted) {
    FakeMemory mem;
    Mb2Builder b;
    for (uint32_t i = 0; i < BootInfo::max_modules + 2; ++i) b.module(i * 2, i * 2 + 1, "m");
    std::vector<MmapEntry> many;
    for (uint64_t i = 0; i < 100; ++i) many.push_back({i << 20, 1 << 20, 1});
    b.mmap(many);
    Parsed p = parse(core::multiboot2_magic, b.build(mem), mem);
    ASSERT_TRUE(p.result.is_ok());
    EXPECT_EQ(p.info->module_count, BootInfo::max_modules);
    EXPECT_EQ(p.info->modules_dropped, 2u);
    EXPECT_EQ(p.info->region_count, 64u);
    EXPECT_EQ(p.info->regions_dropped, 36u);
}

TEST(Multiboot2, MalformedInputIsRejected) {
    // Builds a block from raw bytes, places it and expects Error::inval.
    auto reject = [](std::vector<uint8_t> bytes, bool fix_total = true, size_t misalign = 0) {
        if (fix_total) {
            uint32_t total = static_cast<uint32_t>(bytes.size());
            std::memcpy(bytes.data(), &total, 4);
        }
        FakeMemory mem;
        mem.skip_to(mem.base() + 64);
        uint64_t phys = mem.put(bytes.data(), bytes.size(), 8);
        if (misalign != 0) {
            mem.put_at(phys + misalign, bytes.data(), bytes.size());
            phys += misalign;
        }
        expect_inval(core::multiboot2_magic, phys, mem);
    };
    auto header = [](uint32_t type, uint32_t size) {
        std::vector<uint8_t> t = le32(type);
        auto s = le32(size);
        t.insert(t.end(), s.begin(), s.end());
        return t;
    };
    auto cat = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    const std::vector<uint8_t> start(8, 0);
    const std::vector<uint8_t> end = header(0, 8);

    reject(Mb2Builder().bytes(), true, 4);                             // not 8-byte aligned
    reject(Mb2Builder().string_tag(1, "x").bytes(false));              // no end tag
    reject(cat(cat(start, header(0, 16)), std::vector<uint8_t>(8)));   // end tag with a body
    reject(cat(cat(start, header(1, 4)), end));                        // tag smaller than its header
    reject(cat(cat(start, header(1, 400)), end));                      // tag beyond total_size
    reject(cat(cat(cat(start, header(1, 12)), {'a', 'b', 'c', 'd', 0, 0, 0, 0}), end));  // cmdline without NUL
    reject(cat(cat(cat(start, header(2, 9)), {'a', 0, 0, 0, 0, 0, 0, 0}), end));  // loader name without NUL
    reject(cat(cat(cat(start, header(3, 12)), le32(0)), end));         // module tag too short
    reject(cat(cat(start, header(3, 16)), cat(cat(le32(0), le32(8)), end)));  // module without string
    reject(Mb2Builder().module(0x2000, 0x1000, "backwards").bytes());  // end < start
    reject(cat(cat(start, header(6, 8)), end));                        // mmap without entry_size
    reject(Mb2Builder().mmap(sample_mmap, 0).bytes());                 // entry_size 0
    reject(Mb2Builder().mmap(sample_mmap, 20).bytes());                // entry_size below 24
    reject(Mb2Builder().mmap(sample_mmap, 28).bytes());                // entry_size not a multiple of 8
    reject(Mb2Builder().tag(6, cat(cat(le32(24), le32(0)), std::vector<uint8_t>(30))).bytes());  // partial entry
    reject(Mb2Builder().tag(14, std::vector<uint8_t>(16)).bytes());    // RSDP 1.0 too short
    reject(Mb2Builder().tag(15, std::vector<uint8_t>(24)).bytes());    // RSDP 2.0 too short
    reject(Mb2Builder().tag(4, le32(1)).bytes());                      // basic meminfo too short

    // total_size lies: too small for anything, cut through a tag, or past
    // the reachable memory.
    std::vector<uint8_t> good = Mb2Builder().string_tag(1, "hello").bytes();
    std::vector<uint8_t> tiny = good;
    tiny[0] = 8;
    reject(tiny, false);
    std::vector<uint8_t> cut = good;
    cut[0] = 20;
    reject(cut, false);
    std::vector<uint8_t> huge = good;
    huge[3] = 0x7f;
    reject(huge, false);
    // The block itself out of reach.
    FakeMemory mem;
    expect_inval(core::multiboot2_magic, mem.end() - 8, mem);
    expect_inval(core::multiboot2_magic, mem.end() - 4, mem);
}

TEST(BootInfoRanges, UsableAndReservedForTheFrameAllocator) {
    FakeMemory mem(0x10000, 16 * 1024);
    Mb2Builder b;
    b.mmap({{0, 0x9fc00, 1}, {0x9fc00, 0x400, 2}, {0x100000, 0x3f00000, 1}, {0x200000, 0x1000, 2}})
        .module(0x1000000, 0x1234567, "dom0");
    uint64_t phys = b.build(mem);
    Parsed p = parse(core::multiboot2_magic, phys, mem);
    ASSERT_TRUE(p.result.is_ok());

    PhysRange usable[4], reserved[8];
    auto nu = core::usable_ranges(*p.info, usable);
    ASSERT_TRUE(nu.is_ok());
    ASSERT_EQ(nu.value(), 2u);
    EXPECT_EQ(usable[1].base, 0x100000u);
    auto nr = core::reserved_ranges(*p.info, reserved);
    ASSERT_TRUE(nr.is_ok());
    ASSERT_EQ(nr.value(), 4u);  // two reserved regions, the module, the info block
    EXPECT_EQ(reserved[2].base, 0x1000000u);
    EXPECT_EQ(reserved[2].length, 0x234567u);
    EXPECT_EQ(reserved[3].base, phys);

    PhysRange one[1];
    EXPECT_EQ(core::usable_ranges(*p.info, one).error(), Error::nospc);
    EXPECT_EQ(core::reserved_ranges(*p.info, {reserved, 3}).error(), Error::nospc);

    // End to end: nothing the allocator hands out overlaps a reserved range.
    std::vector<uint64_t> storage(core::FrameAllocator::bitmap_words_for({usable, nu.value()}));
    auto fa = core::FrameAllocator::create({usable, nu.value()}, {reserved, nr.value()}, storage.data(), storage.size());
    ASSERT_TRUE(fa.is_ok());
    EXPECT_FALSE(fa.value().is_allocatable(core::Mfn(0x1000)));
    EXPECT_FALSE(fa.value().is_allocatable(core::Mfn(0x1234)));
    EXPECT_TRUE(fa.value().is_allocatable(core::Mfn(0x1235)));
    EXPECT_FALSE(fa.value().is_allocatable(core::Mfn(0x200)));
    EXPECT_FALSE(fa.value().is_allocatable(core::Mfn(phys / 4096)));
}

TEST(BootInfoRanges, UsableBytesSaturates) {
    auto info = std::make_unique<BootInfo>();
    info->region_count = 3;
    info->regions[0] = {0, ~uint64_t{0} - 10, MemoryType::usable, 1};
    info->regions[1] = {0, 100, MemoryType::reserved, 2};
    info->regions[2] = {0, 100, MemoryType::usable, 1};
    EXPECT_EQ(core::usable_bytes(*info), ~uint64_t{0});
}

TEST(BootInfo, MemoryTypeNames) {
    EXPECT_STREQ(core::memory_type_name(MemoryType::usable), "usable");
    EXPECT_STREQ(core::memory_type_name(MemoryType::acpi_nvs), "ACPI NVS");
}

// Random damage to valid structures must give ok or an error, never an
// out-of-bounds read (run under ASan to make that a failure).
TEST(BootInfo, RandomCorruptionNeverCrashes) {
    std::mt19937 rng(7);
    std::vector<uint8_t> mb2 = Mb2Builder()
                                   .string_tag(1, "loglevel=debug")
                                   .module(0x800000, 0x900000, "dom0")
                                   .mmap(sample_mmap)
                                   .tag(15, std::vector<uint8_t>(36, 1))
                                   .bytes();
    int ok = 0;
    for (int iter = 0; iter < 3000; ++iter) {
        bool v2 = iter % 2 == 0;
        FakeMemory mem(0x100000, 8192);
        uint64_t phys;
        size_t len;
        if (v2) {
            phys = mem.put(mb2.data(), mb2.size(), 8);
            len = mb2.size();
        } else {
            Mb1Builder b;
            b.flags = mb1_cmdline | mb1_mods | mb1_mmap | mb1_loader;
            b.cmdline = "x y z";
            b.loader_name = "l";
            b.mmap = sample_mmap;
            b.modules = {{1, 2, "a"}, {3, 4, "b"}};
            phys = b.build(mem);
            len = 116;
        }
        size_t region = v2 ? len : static_cast<size_t>(phys + len - mem.base());
        uint64_t from = v2 ? phys : mem.base();
        for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
            mem.at(from)[rng() % region] ^= static_cast<uint8_t>(1u << (rng() % 8));
        BootInfo info;
        auto r = parse_multiboot(v2 ? core::multiboot2_magic : core::multiboot1_magic, phys, mem, &info);
        if (r.is_ok()) {
            ++ok;
            EXPECT_LT(std::strlen(info.cmdline), BootInfo::cmdline_size);
            EXPECT_LE(info.region_count, BootInfo::max_regions);
        } else {
            EXPECT_TRUE(r.error() == Error::inval || r.error() == Error::nospc);
        }
    }
    EXPECT_GT(ok, 100) << "some damage (to payload bytes) is harmless";
}
