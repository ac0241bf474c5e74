#include "acpi.h"

#include "core/log.h"
#include "io.h"
#include "paging.h"

namespace arch {
namespace {

// Table layouts: ACPI Specification 6.4, 5.2.5 (RSDP), 5.2.6 (header),
// 5.2.9 (FADT).
struct [[gnu::packed]] Rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
};
struct [[gnu::packed]] SdtHeader {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};
constexpr size_t fadt_dsdt = 40, fadt_smi_cmd = 48, fadt_acpi_enable = 52, fadt_pm1a_cnt = 64,
                 fadt_pm1b_cnt = 68, fadt_x_dsdt = 140;
constexpr uint16_t slp_en = 1u << 13;
constexpr uint16_t sci_en = 1u << 0;

struct PowerOff {
    bool valid = false;
    uint16_t pm1a_cnt = 0, pm1b_cnt = 0;
    uint16_t slp_typ_a = 0, slp_typ_b = 0;
    uint16_t smi_cmd = 0;
    uint8_t acpi_enable = 0;
};
PowerOff g_poweroff;

bool checksum_ok(const void* p, size_t len) {
    uint8_t sum = 0;
    for (size_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + static_cast<const uint8_t*>(p)[i]);
    return sum == 0;
}

bool sig_is(const char* s, const char* want, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (s[i] != want[i]) return false;
    return true;
}

// Maps a whole table: the header first to learn its length.
const SdtHeader* map_table(uint64_t pa) {
    const auto* h = static_cast<const SdtHeader*>(directmap_ensure(pa, sizeof(SdtHeader)));
    if (h == nullptr || h->length < sizeof(SdtHeader) || h->length > (16u << 20)) return nullptr;
    h = static_cast<const SdtHeader*>(directmap_ensure(pa, h->length));
    if (h == nullptr || !checksum_ok(h, h->length)) return nullptr;
    return h;
}

const Rsdp* find_rsdp_in(uint64_t pa, size_t len) {
    const auto* base = static_cast<const uint8_t*>(directmap_ensure(pa, len));
    if (base == nullptr) return nullptr;
    // The RSDP sits on a 16-byte boundary (ACPI 6.4, 5.2.5.1).
    for (size_t off = 0; off + sizeof(Rsdp) <= len; off += 16) {
        const auto* r = reinterpret_cast<const Rsdp*>(base + off);
        if (sig_is(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20)) return r;
    }
    return nullptr;
}

const Rsdp* find_rsdp(const void* copy, size_t size) {
    if (copy != nullptr && size >= 20) {
        const auto* r = static_cast<const Rsdp*>(copy);
        // An ACPI 1.0 copy has no XSDT fields: find_table reads them only
        // for revision >= 2, which implies the 36-byte form.
        if (sig_is(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20) && (r->revision < 2 || size >= sizeof(Rsdp)))
            return r;
    }
    // The first KiB of the EBDA, then the BIOS ROM area 0xE0000-0xFFFFF.
    const auto* bda = static_cast<const uint16_t*>(directmap_ensure(0x40e, 2));
    if (bda != nullptr && *bda != 0) {
        if (const Rsdp* r = find_rsdp_in(uint64_t{*bda} << 4, 1024)) return r;
    }
    return find_rsdp_in(0xe0000, 0x20000);
}

const SdtHeader* find_table(const Rsdp* rsdp, const char* sig) {
    bool use_xsdt = rsdp->revision >= 2 && rsdp->xsdt != 0;
    const SdtHeader* root = map_table(use_xsdt ? rsdp->xsdt : rsdp->rsdt);
    if (root == nullptr) return nullptr;
    size_t entry_size = use_xsdt ? 8 : 4;
    size_t count = (root->length - sizeof(SdtHeader)) / entry_size;
    const auto* entries = reinterpret_cast<const uint8_t*>(root + 1);
    for (size_t i = 0; i < count; ++i) {
        uint64_t pa = 0;
        for (size_t b = 0; b < entry_size; ++b) pa |= uint64_t{entries[i * entry_size + b]} << (8 * b);
        const SdtHeader* t = map_table(pa);
        if (t != nullptr && sig_is(t->signature, sig, 4)) return t;
    }
    return nullptr;
}

template <typename T>
T field(const SdtHeader* t, size_t offset) {
    T v{};
    if (offset + sizeof(T) > t->length) return v;
    const auto* p = reinterpret_cast<const uint8_t*>(t) + offset;
    for (size_t i = 0; i < sizeof(T); ++i) v = static_cast<T>(v | (static_cast<T>(p[i]) << (8 * i)));
    return v;
}

// Reads one AML integer element of a package: ZeroOp, OneOp, or a
// BytePrefix/WordPrefix constant (ACPI 6.4, 20.2.3).
bool aml_small_integer(const uint8_t* p, const uint8_t* end, uint16_t* value, size_t* used) {
    if (p >= end) return false;
    if (*p == 0x00 || *p == 0x01) {
        *value = *p;
        *used = 1;
        return true;
    }
    if (*p == 0x0a && p + 1 < end) {
        *value = p[1];
        *used = 2;
        return true;
    }
    if (*p == 0x0b && p + 2 < end) {
        *value = static_cast<uint16_t>(p[1] | (p[2] << 8));
        *used = 3;
        return true;
    }
    return false;
}

// Finds Name(_S5, Package() {a, b, ...}) in the DSDT and returns a and b.
bool find_s5(const SdtHeader* dsdt, uint16_t* typ_a, uint16_t* typ_b) {
    const auto* p = reinterpret_cast<const uint8_t*>(dsdt);
    const uint8_t* end = p + dsdt->length;
    for (const uint8_t* q = p + sizeof(SdtHeader); q + 8 < end; ++q) {
        if (!(q[0] == '_' && q[1] == 'S' && q[2] == '5' && q[3] == '_')) continue;
        bool named = q[-1] == 0x08 || (q[-1] == '\\' && q[-2] == 0x08);
        if (!named || q[4] != 0x12) continue;  // NameOp ... PackageOp
        const uint8_t* r = q + 5;
        r += 1 + (*r >> 6);  // PkgLength: bits 7:6 count the extra bytes
        r += 1;              // NumElements
        size_t used = 0;
        if (!aml_small_integer(r, end, typ_a, &used)) return false;
        r += used;
        if (!aml_small_integer(r, end, typ_b, &used)) *typ_b = 0;
        return true;
    }
    return false;
}

}  // namespace

void acpi_init(const void* rsdp_copy, size_t size) {
    const Rsdp* rsdp = find_rsdp(rsdp_copy, size);
    if (rsdp == nullptr) {
        core::log(core::LogLevel::warn, "acpi: no RSDP found; power-off will halt instead\n");
        return;
    }
    const SdtHeader* fadt = find_table(rsdp, "FACP");
    if (fadt == nullptr) {
        core::log(core::LogLevel::warn, "acpi: no FADT; power-off will halt instead\n");
        return;
    }
    uint64_t dsdt_pa = field<uint32_t>(fadt, fadt_dsdt);
    if (fadt->length >= fadt_x_dsdt + 8 && field<uint64_t>(fadt, fadt_x_dsdt) != 0)
        dsdt_pa = field<uint64_t>(fadt, fadt_x_dsdt);
    const SdtHeader* dsdt = map_table(dsdt_pa);
    PowerOff po;
    po.pm1a_cnt = static_cast<uint16_t>(field<uint32_t>(fadt, fadt_pm1a_cnt));
    po.pm1b_cnt = static_cast<uint16_t>(field<uint32_t>(fadt, fadt_pm1b_cnt));
    po.smi_cmd = static_cast<uint16_t>(field<uint32_t>(fadt, fadt_smi_cmd));
    po.acpi_enable = field<uint8_t>(fadt, fadt_acpi_enable);
    if (dsdt == nullptr || po.pm1a_cnt == 0 || !find_s5(dsdt, &po.slp_typ_a, &po.slp_typ_b)) {
        core::log(core::LogLevel::warn, "acpi: no \\_S5 sleep state; power-off will halt instead\n");
        return;
    }
    po.valid = true;
    g_poweroff = po;
    core::log(core::LogLevel::debug, "acpi: rsdp rev %u, pm1a_cnt %#x, S5 type %u\n", rsdp->revision,
              po.pm1a_cnt, po.slp_typ_a);
}

bool acpi_can_power_off() { return g_poweroff.valid; }

void acpi_power_off() {
    const PowerOff& po = g_poweroff;
    if (!po.valid) return;
    // If firmware still owns the PM registers, ask it to hand them over.
    if ((inw(po.pm1a_cnt) & sci_en) == 0 && po.smi_cmd != 0 && po.acpi_enable != 0) {
        outb(po.smi_cmd, po.acpi_enable);
        for (int i = 0; i < 1000000 && (inw(po.pm1a_cnt) & sci_en) == 0; ++i) {
        }
    }
    outw(po.pm1a_cnt, static_cast<uint16_t>((po.slp_typ_a << 10) | slp_en));
    if (po.pm1b_cnt != 0) outw(po.pm1b_cnt, static_cast<uint16_t>((po.slp_typ_b << 10) | slp_en));
}

}  // namespace arch
