// The ELF parser: a PV kernel image is untrusted input, so most of these
// are images it must refuse.
#include "core/elf.h"

#include <gtest/gtest.h>
#include <pvisor/abi.h>
#include <pvisor/elfnote.h>
#include <pvisor/version.h>

#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "elf_writer.h"

using core::ElfImage;
using kstd::Error;

namespace {

constexpr uint64_t kbase = 0xffffffff80000000ull;

std::vector<uint8_t> bytes(size_t n, uint8_t v = 0x90) { return std::vector<uint8_t>(n, v); }

// A text and a data segment and the PVISOR notes.
elfw::ElfWriter good() {
    elfw::ElfWriter w;
    w.add(kbase, bytes(0x1800), elfw::pf_r | elfw::pf_x);
    w.add(kbase + 0x2000, bytes(0x100, 1), elfw::pf_r | elfw::pf_w, 0x1000);
    w.entry = kbase + 0x40;
    w.add_pvisor_notes(PVISOR_ABI_VERSION, kbase + 0x1000, "pvkernel");
    return w;
}

kstd::Result<void> parse(const std::vector<uint8_t>& image, ElfImage* out) {
    return core::elf_parse(kstd::span<const uint8_t>(image.data(), image.size()), out);
}

Error refusal(const std::vector<uint8_t>& image) {
    ElfImage out;
    auto r = parse(image, &out);
    EXPECT_TRUE(r.is_error()) << "the image was accepted";
    return r.is_error() ? r.error() : Error::perm;
}

Error refusal(const elfw::ElfWriter& w) { return refusal(w.build()); }

// Patches one field of segment i's program header.
template <typename T>
std::vector<uint8_t> patch_phdr(const elfw::ElfWriter& w, size_t i, size_t field_offset, T value) {
    std::vector<uint8_t> img = w.build();
    elfw::put(img, w.phdr_offset(i) + field_offset, value);
    return img;
}

constexpr size_t ph_offset = offsetof(elfw::Phdr, offset), ph_filesz = offsetof(elfw::Phdr, filesz);

}  // namespace

TEST(Elf, ParsesAGoodImage) {
    elfw::ElfWriter w = good();
    std::vector<uint8_t> img = w.build();
    ElfImage e;
    ASSERT_TRUE(parse(img, &e).is_ok());
    EXPECT_EQ(kbase + 0x40, e.entry);
    ASSERT_EQ(2u, e.segment_count);
    EXPECT_EQ(kbase, e.segments[0].vaddr);
    EXPECT_EQ(0x1800u, e.segments[0].file_size);
    EXPECT_EQ(0x1800u, e.segments[0].mem_size);
    EXPECT_TRUE(e.segments[0].executable);
    EXPECT_FALSE(e.segments[0].writable);
    EXPECT_EQ(kbase + 0x2000, e.segments[1].vaddr);
    EXPECT_EQ(0x100u, e.segments[1].file_size);
    EXPECT_EQ(0x1000u, e.segments[1].mem_size);
    EXPECT_TRUE(e.segments[1].writable);
    EXPECT_FALSE(e.segments[1].executable);
    auto off = elfw::get<elfw::Phdr>(img, w.phdr_offset(1)).offset;
    EXPECT_EQ(off, e.segments[1].file_offset);
    EXPECT_EQ(1, img[e.segments[1].file_offset]);
    EXPECT_EQ(kbase, e.virt_start);
    EXPECT_EQ(kbase + 0x3000, e.virt_end);
    EXPECT_TRUE(e.has_abi_version);
    EXPECT_EQ(PVISOR_ABI_VERSION, e.abi_version);
    EXPECT_TRUE(e.has_hypercall_page);
    EXPECT_EQ(kbase + 0x1000, e.hypercall_page);
    EXPECT_STREQ("pvkernel", e.guest_os);
}

TEST(Elf, VirtualRangeIsPageAligned) {
    elfw::ElfWriter w;
    w.add(kbase + 0x123, bytes(0x10), elfw::pf_r | elfw::pf_x, 0x1000);
    w.entry = kbase + 0x123;
    ElfImage e;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(kbase, e.virt_start);
    EXPECT_EQ(kbase + 0x2000, e.virt_end);
    EXPECT_FALSE(e.has_abi_version) << "notes are the builder's business";
    EXPECT_FALSE(e.has_hypercall_page);
    EXPECT_STREQ("", e.guest_os);
}

TEST(Elf, UnalignedBufferParses) {
    std::vector<uint8_t> img = good().build();
    std::vector<uint8_t> shifted(img.size() + 1);
    std::memcpy(shifted.data() + 1, img.data(), img.size());
    ElfImage e;
    EXPECT_TRUE(core::elf_parse(kstd::span<const uint8_t>(shifted.data() + 1, img.size()), &e).is_ok());
}

TEST(Elf, IgnoresOtherProgramHeadersAndEmptySegments) {
    elfw::ElfWriter w = good();
    elfw::Segment stack;
    stack.type = 0x6474e551;  // PT_GNU_STACK
    stack.vaddr = 0x1000;     // would be refused as a load segment
    stack.memsz = 0x1000;
    w.segments.push_back(stack);
    w.add(0x400000, {}, elfw::pf_r);  // PT_LOAD with memsz 0: nothing to load, wherever it claims to be
    w.segments.back().memsz = 0;
    ElfImage e;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(2u, e.segment_count);
}

TEST(Elf, RefusesBadHeaders) {
    std::vector<uint8_t> img = good().build();
    for (size_t i = 0; i < 4; ++i) {
        auto bad = img;
        bad[i] ^= 0x20;
        EXPECT_EQ(Error::inval, refusal(bad)) << "magic byte " << i;
    }
    auto with = [&](size_t off, auto v) {
        auto bad = img;
        elfw::put(bad, off, v);
        return bad;
    };
    EXPECT_EQ(Error::inval, refusal(with(4, uint8_t{1}))) << "ELFCLASS32";
    EXPECT_EQ(Error::inval, refusal(with(4, uint8_t{0})));
    EXPECT_EQ(Error::inval, refusal(with(5, uint8_t{2}))) << "big-endian";
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, type), uint16_t{3}))) << "ET_DYN";
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, type), uint16_t{1}))) << "ET_REL";
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, machine), uint16_t{3}))) << "EM_386";
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, machine), uint16_t{183}))) << "EM_AARCH64";
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phentsize), uint16_t{32})));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phentsize), uint16_t{0})));
}

TEST(Elf, RefusesTruncatedFiles) {
    std::vector<uint8_t> img = good().build();
    EXPECT_EQ(Error::inval, refusal(std::vector<uint8_t>{}));
    EXPECT_EQ(Error::inval, refusal(std::vector<uint8_t>(img.begin(), img.begin() + 63)));
    // Headers complete, program headers cut short.
    EXPECT_EQ(Error::inval, refusal(std::vector<uint8_t>(img.begin(), img.begin() + 64 + 56 + 10)));
    // Program headers complete, the last segment's bytes cut short.
    EXPECT_EQ(Error::inval, refusal(std::vector<uint8_t>(img.begin(), img.end() - 1)));
}

TEST(Elf, RefusesProgramHeadersOutsideTheFile) {
    std::vector<uint8_t> img = good().build();
    auto with = [&](size_t off, auto v) {
        auto bad = img;
        elfw::put(bad, off, v);
        return bad;
    };
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phoff), uint64_t{img.size()})));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phoff), uint64_t{img.size() - 56 + 1})));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phoff), ~uint64_t{0})));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phoff), ~uint64_t{0} - 100)));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phnum), uint16_t{0xffff})));
    EXPECT_EQ(Error::inval, refusal(with(offsetof(elfw::Ehdr, phnum), uint16_t{0}))) << "no segments at all";
}

TEST(Elf, RefusesSegmentsOutsideTheFile) {
    elfw::ElfWriter w = good();
    size_t size = w.build().size();
    EXPECT_EQ(Error::inval, refusal(patch_phdr(w, 0, ph_offset, uint64_t{size})));
    EXPECT_EQ(Error::inval, refusal(patch_phdr(w, 0, ph_offset, ~uint64_t{0})));
    EXPECT_EQ(Error::inval, refusal(patch_phdr(w, 0, ph_offset, ~uint64_t{0} - 0x17ff)));
    EXPECT_EQ(Error::inval, refusal(patch_phdr(w, 1, ph_filesz, uint64_t{0x101}))) << "one byte past the end";
    // A segment that is all bss may name any offset: nothing is read.
    auto bss_only = patch_phdr(w, 1, ph_filesz, uint64_t{0});
    elfw::put(bss_only, w.phdr_offset(1) + ph_offset, uint64_t{size});
    ElfImage e;
    EXPECT_TRUE(parse(bss_only, &e).is_ok());
}

TEST(Elf, RefusesFileSizeAboveMemorySize) {
    elfw::ElfWriter w = good();
    w.segments[1].memsz = 0xff;  // filesz is 0x100
    EXPECT_EQ(Error::inval, refusal(w));
}

TEST(Elf, RefusesSegmentsThatWrapOrLeaveTheUpperHalf) {
    struct Case {
        const char* what;
        uint64_t vaddr, memsz;
    };
    const Case cases[] = {
        {"lower half", 0x400000, 0x1000},
        {"lower half top", 0x00007ffffffff000ull, 0x1000},
        {"non-canonical start", 0x0000800000000000ull, 0x1000},
        {"non-canonical start below the upper half", 0xffff7ffffffff000ull, 0x1000},
        {"runs into the hole", 0x00007ffffffff000ull, 0x2000},
        {"wraps", 0xfffffffffffff000ull, 0x2000},
        {"ends exactly at 2^64", 0xfffffffffffff000ull, 0x1000},
        {"last page rounds past the top", 0xffffffffffffe000ull, 0x1001},
        {"huge", kbase, ~uint64_t{0}},
        {"hypervisor start", PV_HYPERVISOR_VIRT_START, 0x1000},
        {"inside the hypervisor", 0xffff840000000000ull, 0x1000},
        {"starts inside, ends above", PV_HYPERVISOR_VIRT_END - 0x1000, 0x2000},
    };
    for (const Case& c : cases) {
        elfw::ElfWriter w = good();
        w.segments[0].vaddr = c.vaddr;
        w.segments[0].memsz = c.memsz;
        w.segments[0].data.resize(0x10);
        w.entry = c.vaddr;
        EXPECT_EQ(Error::inval, refusal(w)) << c.what;
    }
    // The first address above the hypervisor is fine.
    elfw::ElfWriter w = good();
    w.segments[0].vaddr = PV_HYPERVISOR_VIRT_END;
    w.entry = PV_HYPERVISOR_VIRT_END;
    ElfImage e;
    EXPECT_TRUE(parse(w.build(), &e).is_ok());
    // So is the last page below the top.
    w.segments[0].vaddr = 0xffffffffffffe000ull;
    w.segments[0].memsz = 0x1000;
    w.segments[0].data.resize(0x1000);
    w.entry = 0xffffffffffffe000ull;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(0xfffffffffffff000ull, e.virt_end);
}

TEST(Elf, RefusesOverlappingSegments) {
    struct Case {
        const char* what;
        uint64_t vaddr, memsz;
    };
    // Against the text segment [kbase, kbase + 0x1800).
    const Case cases[] = {
        {"same start", kbase, 0x10},
        {"inside", kbase + 0x100, 0x10},
        {"covers", kbase - 0x1000, 0x4000},
        {"overlaps the end by one byte", kbase + 0x17ff, 0x10},
        {"overlaps the start by one byte", kbase - 0x10, 0x11},
    };
    for (const Case& c : cases) {
        elfw::ElfWriter w = good();
        w.add(c.vaddr, {}, elfw::pf_r, c.memsz);
        EXPECT_EQ(Error::inval, refusal(w)) << c.what;
        // The order of the program headers does not matter.
        elfw::ElfWriter r = good();
        r.segments.insert(r.segments.begin(), w.segments.back());
        EXPECT_EQ(Error::inval, refusal(r)) << c.what << " (first)";
    }
    // Touching is not overlapping.
    elfw::ElfWriter w = good();
    w.add(kbase + 0x1800, {}, elfw::pf_r, 0x10);
    w.add(kbase - 0x10, {}, elfw::pf_r, 0x10);
    ElfImage e;
    EXPECT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(4u, e.segment_count);
}

TEST(Elf, SegmentLimit) {
    elfw::ElfWriter w;
    w.entry = kbase;
    for (size_t i = 0; i < ElfImage::max_segments; ++i)
        w.add(kbase + i * 0x1000, bytes(0x10), elfw::pf_r | elfw::pf_x);
    ElfImage e;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(ElfImage::max_segments, e.segment_count);
    w.add(kbase + ElfImage::max_segments * 0x1000, bytes(0x10), elfw::pf_r);
    EXPECT_EQ(Error::too_big, refusal(w));
}

TEST(Elf, EntryMustBeInAnExecutableSegment) {
    struct Case {
        const char* what;
        uint64_t entry;
    };
    const Case cases[] = {
        {"in the data segment", kbase + 0x2000},
        {"one past the text", kbase + 0x1800},
        {"below the text", kbase - 1},
        {"in the page gap", kbase + 0x1900},
        {"zero", 0},
    };
    for (const Case& c : cases) {
        elfw::ElfWriter w = good();
        w.entry = c.entry;
        EXPECT_EQ(Error::inval, refusal(w)) << c.what;
    }
    elfw::ElfWriter w = good();
    w.entry = kbase + 0x17ff;
    ElfImage e;
    EXPECT_TRUE(parse(w.build(), &e).is_ok()) << "the last byte of the text";
    w.segments[1].flags |= elfw::pf_x;
    w.entry = kbase + 0x2fff;
    EXPECT_TRUE(parse(w.build(), &e).is_ok()) << "in the bss of an executable segment";
}

// --- notes -----------------------------------------------------------------

namespace {

// The good image with its notes replaced by raw note bytes.
std::vector<uint8_t> with_note_bytes(const std::vector<uint8_t>& notes) {
    elfw::ElfWriter w = good();
    w.notes.clear();
    w.add_note("X", 0, {});  // a placeholder so that the PT_NOTE exists
    std::vector<uint8_t> img = w.build();
    auto ph = elfw::get<elfw::Phdr>(img, elfw::ElfWriter::note_phdr_offset);
    // Append the notes at the end of the file and point the PT_NOTE there.
    ph.offset = img.size();
    ph.filesz = ph.memsz = notes.size();
    img.insert(img.end(), notes.begin(), notes.end());
    elfw::put(img, elfw::ElfWriter::note_phdr_offset, ph);
    return img;
}

std::vector<uint8_t> raw_note(uint32_t namesz, uint32_t descsz, uint32_t type, const std::vector<uint8_t>& rest) {
    std::vector<uint8_t> v;
    for (uint32_t x : std::initializer_list<uint32_t>{namesz, descsz, type}) {
        auto b = elfw::le_bytes(x);
        v.insert(v.end(), b.begin(), b.end());
    }
    v.insert(v.end(), rest.begin(), rest.end());
    return v;
}

std::vector<uint8_t> concat(std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

elfw::Note pvnote(uint32_t type, std::vector<uint8_t> desc) { return elfw::Note{PV_ELFNOTE_NAME, type, desc}; }

}  // namespace

TEST(ElfNotes, OtherOwnersAndUnknownTypesAreSkipped) {
    elfw::ElfWriter w = good();
    w.notes.clear();
    w.add_note("GNU", PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(0xdead));
    w.add_note("PVISO", PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(0xdead));   // a prefix
    w.add_note("PVISORX", PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(0xdead)); // longer
    w.add_note("pvisor", PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(0xdead));  // case
    w.add_note(PV_ELFNOTE_NAME, 99, bytes(100));  // from a newer minor version
    w.add_note(PV_ELFNOTE_NAME, PV_ELFNOTE_ABI_VERSION, elfw::le_bytes<uint32_t>(PVISOR_ABI_VERSION));
    ElfImage e;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_TRUE(e.has_abi_version);
    EXPECT_EQ(PVISOR_ABI_VERSION, e.abi_version);
    EXPECT_FALSE(e.has_hypercall_page);
}

TEST(ElfNotes, GuestOsIsTruncatedAndTerminated) {
    elfw::ElfWriter w = good();
    w.notes.clear();
    std::string long_os(50, 'o');
    w.notes.push_back(pvnote(PV_ELFNOTE_GUEST_OS, std::vector<uint8_t>(long_os.begin(), long_os.end())));
    ElfImage e;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_EQ(std::string(sizeof e.guest_os - 1, 'o'), e.guest_os);

    w.notes = {pvnote(PV_ELFNOTE_GUEST_OS, {'a', 'b', 'c'})};  // no NUL in the note
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_STREQ("abc", e.guest_os);
    w.notes = {pvnote(PV_ELFNOTE_GUEST_OS, {'a', 0, 'c'})};
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_STREQ("a", e.guest_os);
}

TEST(ElfNotes, WrongDescriptorSizes) {
    for (auto note : {pvnote(PV_ELFNOTE_ABI_VERSION, bytes(8, 0)), pvnote(PV_ELFNOTE_ABI_VERSION, bytes(2, 0)),
                      pvnote(PV_ELFNOTE_ABI_VERSION, {}), pvnote(PV_ELFNOTE_HYPERCALL_PAGE, bytes(4, 0)),
                      pvnote(PV_ELFNOTE_HYPERCALL_PAGE, bytes(16, 0))}) {
        elfw::ElfWriter w = good();
        w.notes = {note};
        EXPECT_EQ(Error::inval, refusal(w)) << "type " << note.type << " descsz " << note.desc.size();
    }
}

TEST(ElfNotes, MalformedNoteHeaders) {
    const std::vector<uint8_t> name = {'P', 'V', 'I', 'S', 'O', 'R', 0, 0};
    // Sanity: the raw form of a good note parses.
    ElfImage e;
    ASSERT_TRUE(parse(with_note_bytes(raw_note(7, 4, PV_ELFNOTE_ABI_VERSION, concat(name, {1, 0, 0, 0}))), &e)
                    .is_ok());
    EXPECT_TRUE(e.has_abi_version);
    EXPECT_EQ(1u, e.abi_version);

    struct Case {
        const char* what;
        std::vector<uint8_t> notes;
    };
    const Case cases[] = {
        {"descriptor past the segment", raw_note(7, 8, PV_ELFNOTE_HYPERCALL_PAGE, concat(name, bytes(4, 0)))},
        {"name past the segment", raw_note(64, 0, 1, name)},
        {"name too long", raw_note(65, 0, 1, bytes(68, 'A'))},
        {"huge name", raw_note(0xffffffffu, 0, 1, name)},
        {"descriptor too long", raw_note(7, 4097, 1, concat(name, bytes(4100, 0)))},
        {"huge descriptor", raw_note(7, 0xfffffffcu, 1, name)},
        {"second note cut short", concat(raw_note(7, 4, 1, concat(name, bytes(4, 0))),
                                         raw_note(7, 4, 1, name))},
    };
    for (const Case& c : cases) EXPECT_EQ(Error::inval, refusal(with_note_bytes(c.notes))) << c.what;

    // Fewer than 12 bytes left is padding, not a note.
    ASSERT_TRUE(parse(with_note_bytes(concat(raw_note(7, 4, 1, concat(name, {5, 0, 0, 0})), bytes(11, 0xff))), &e)
                    .is_ok());
    EXPECT_EQ(5u, e.abi_version);
    // An empty PT_NOTE is fine.
    EXPECT_TRUE(parse(with_note_bytes({}), &e).is_ok());
}

TEST(ElfNotes, NoteSegmentOutsideTheFile) {
    std::vector<uint8_t> img = good().build();
    auto ph = elfw::get<elfw::Phdr>(img, elfw::ElfWriter::note_phdr_offset);
    auto bad = img;
    ph.offset = img.size() - 4;
    elfw::put(bad, elfw::ElfWriter::note_phdr_offset, ph);
    EXPECT_EQ(Error::inval, refusal(bad));
    ph.offset = ~uint64_t{0} - 2;
    elfw::put(bad, elfw::ElfWriter::note_phdr_offset, ph);
    EXPECT_EQ(Error::inval, refusal(bad));
}

TEST(Elf, OutputIsResetOnEveryParse) {
    ElfImage e;
    ASSERT_TRUE(parse(good().build(), &e).is_ok());
    elfw::ElfWriter w;
    w.add(kbase, bytes(0x10), elfw::pf_r | elfw::pf_x);
    w.entry = kbase;
    ASSERT_TRUE(parse(w.build(), &e).is_ok());
    EXPECT_FALSE(e.has_abi_version);
    EXPECT_FALSE(e.has_hypercall_page);
    EXPECT_EQ(1u, e.segment_count);
    EXPECT_STREQ("", e.guest_os);
}
