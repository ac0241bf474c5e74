// The PVISOR ELF notes (pvisor/elfnote.h) that make this image loadable by
// the pvisor domain builder. The linker script keeps .note.pvisor in a
// PT_NOTE segment and names pvk_pv_elfnotes in EXTERN() so that this
// object is always linked, even from a static library.
#include <stdint.h>

#include <pvisor/elfnote.h>
#include <pvisor/hypercall.h>
#include <pvisor/version.h>

namespace {

// An ELF note: namesz, descsz, type, then name and desc, each padded to 4
// bytes (ELF-64 Object File Format, "Note Sections").
template <typename Desc>
struct [[gnu::packed]] Note {
    uint32_t namesz = sizeof(PV_ELFNOTE_NAME);
    uint32_t descsz;
    uint32_t type;
    char name[8] = PV_ELFNOTE_NAME;  // "PVISOR\0" + 1 byte of padding
    Desc desc;
};
static_assert(sizeof(PV_ELFNOTE_NAME) == 7, "name padding below assumes 7 bytes");

struct [[gnu::packed]] GuestOs {
    char text[12];  // "pvkernel\0" + padding to 4 bytes
};

struct [[gnu::packed, gnu::aligned(4)]] PvisorNotes {
    Note<uint32_t> abi_version;
    Note<const char*> hypercall_page;
    Note<GuestOs> guest_os;
};
static_assert(sizeof(Note<uint32_t>) % 4 == 0 && sizeof(Note<const char*>) % 4 == 0 &&
              sizeof(Note<GuestOs>) % 4 == 0, "each note must end on a 4-byte boundary");

}  // namespace

extern "C" {
extern const PvisorNotes pvk_pv_elfnotes;
[[gnu::used, gnu::section(".note.pvisor")]] constinit const PvisorNotes pvk_pv_elfnotes = {
    {.descsz = sizeof(uint32_t), .type = PV_ELFNOTE_ABI_VERSION, .desc = PVISOR_ABI_VERSION},
    {.descsz = sizeof(uint64_t), .type = PV_ELFNOTE_HYPERCALL_PAGE, .desc = pv_hypercall_page},
    {.descsz = sizeof("pvkernel"), .type = PV_ELFNOTE_GUEST_OS, .desc = {"pvkernel"}},
};
}
