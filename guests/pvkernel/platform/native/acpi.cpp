// ACPI power-off (S5), for machines without QEMU's isa-debug-exit: find
// the FADT and the DSDT's \_S5 package, then write SLP_TYP|SLP_EN to
// PM1a/PM1b_CNT. Tables above the first GiB (which the kernel maps) are
// not searched.
#include "native.h"
#include "x86.h"

namespace pvk::native {
namespace {

// ACPI Specification 6.4: 5.2.5 (RSDP), 5.2.6 (header), 5.2.9 (FADT).
struct [[gnu::packed]] Rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
};
struct [[gnu::packed]] SdtHeader {
    char signature[4];
    uint32_t length;
    uint8_t revision, checksum;
    char oem_id[6], oem_table_id[8];
    uint32_t oem_revision, creator_id, creator_revision;
};
constexpr uint32_t fadt_dsdt = 40, fadt_smi_cmd = 48, fadt_acpi_enable = 52, fadt_pm1a_cnt = 64,
                   fadt_pm1b_cnt = 68;
constexpr uint16_t slp_en = 1u << 13, sci_en = 1u << 0;

struct PowerOff {
    bool valid;
    uint16_t pm1a_cnt, pm1b_cnt, slp_typ_a, slp_typ_b, smi_cmd;
    uint8_t acpi_enable;
};
constinit PowerOff g_poweroff = {};

bool sig_is(const char* s, const char* want, int n) {
    for (int i = 0; i < n; ++i)
        if (s[i] != want[i]) return false;
    return true;
}

bool checksum_ok(const uint8_t* p, uint32_t len) {
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; ++i) sum = static_cast<uint8_t>(sum + p[i]);
    return sum == 0;
}

const SdtHeader* table_at(uint64_t pa) {
    if (pa == 0 || pa + sizeof(SdtHeader) > low_phys_limit) return nullptr;
    const auto* h = phys_to_virt<const SdtHeader>(pa);
    if (h->length < sizeof(SdtHeader) || pa + h->length > low_phys_limit) return nullptr;
    if (!checksum_ok(reinterpret_cast<const uint8_t*>(h), h->length)) return nullptr;
    return h;
}

uint32_t read32(const SdtHeader* t, uint32_t offset) {
    if (offset + 4 > t->length) return 0;
    const auto* p = reinterpret_cast<const uint8_t*>(t) + offset;
    return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

const Rsdp* find_rsdp() {
    // The BIOS ROM area; the RSDP sits on a 16-byte boundary (5.2.5.1).
    for (uint64_t pa = 0xe0000; pa < 0x100000; pa += 16) {
        const auto* r = phys_to_virt<const Rsdp>(pa);
        if (sig_is(r->signature, "RSD PTR ", 8) && checksum_ok(reinterpret_cast<const uint8_t*>(r), 20)) return r;
    }
    return nullptr;
}

// An AML integer: ZeroOp, OneOp, BytePrefix or WordPrefix (ACPI 6.4, 20.2.3).
const uint8_t* aml_int(const uint8_t* p, const uint8_t* end, uint16_t* v) {
    if (p >= end) return nullptr;
    if (*p <= 1) {
        *v = *p;
        return p + 1;
    }
    if (*p == 0x0a && p + 1 < end) {
        *v = p[1];
        return p + 2;
    }
    if (*p == 0x0b && p + 2 < end) {
        *v = static_cast<uint16_t>(p[1] | (p[2] << 8));
        return p + 3;
    }
    return nullptr;
}

// Name(_S5_, Package(){a, b, ...}) in the DSDT.
bool find_s5(const SdtHeader* dsdt, uint16_t* a, uint16_t* b) {
    const auto* p = reinterpret_cast<const uint8_t*>(dsdt);
    const uint8_t* end = p + dsdt->length;
    for (const uint8_t* q = p + sizeof(SdtHeader) + 1; q + 8 < end; ++q) {
        if (!sig_is(reinterpret_cast<const char*>(q), "_S5_", 4)) continue;
        if (!(q[-1] == 0x08 || (q[-1] == '\\' && q[-2] == 0x08)) || q[4] != 0x12) continue;
        // PackageOp, PkgLength (1-4 bytes), NumElements.
        const uint8_t* r = q + 5;
        r += 1 + (*r >> 6);
        r += 1;
        r = aml_int(r, end, a);
        if (r == nullptr) return false;
        return aml_int(r, end, b) != nullptr;
    }
    return false;
}

}  // namespace

void acpi_init() {
    const Rsdp* rsdp = find_rsdp();
    if (rsdp == nullptr) return;
    const SdtHeader* rsdt = table_at(rsdp->rsdt);
    if (rsdt == nullptr) return;
    const SdtHeader* fadt = nullptr;
    for (uint32_t off = sizeof(SdtHeader); off + 4 <= rsdt->length && fadt == nullptr; off += 4) {
        const SdtHeader* t = table_at(read32(rsdt, off));
        if (t != nullptr && sig_is(t->signature, "FACP", 4)) fadt = t;
    }
    if (fadt == nullptr) return;
    const SdtHeader* dsdt = table_at(read32(fadt, fadt_dsdt));
    PowerOff po{};
    if (dsdt == nullptr || !find_s5(dsdt, &po.slp_typ_a, &po.slp_typ_b)) return;
    po.pm1a_cnt = static_cast<uint16_t>(read32(fadt, fadt_pm1a_cnt));
    po.pm1b_cnt = static_cast<uint16_t>(read32(fadt, fadt_pm1b_cnt));
    po.smi_cmd = static_cast<uint16_t>(read32(fadt, fadt_smi_cmd));
    po.acpi_enable = static_cast<uint8_t>(read32(fadt, fadt_acpi_enable));
    po.valid = po.pm1a_cnt != 0;
    g_poweroff = po;
}

void acpi_power_off() {
    const PowerOff& po = g_poweroff;
    if (!po.valid) return;
    if ((inw(po.pm1a_cnt) & sci_en) == 0 && po.smi_cmd != 0 && po.acpi_enable != 0) {
        outb(po.smi_cmd, po.acpi_enable);
        for (int i = 0; i < 1000000 && (inw(po.pm1a_cnt) & sci_en) == 0; ++i) {
        }
    }
    outw(po.pm1a_cnt, static_cast<uint16_t>((po.slp_typ_a << 10) | slp_en));
    if (po.pm1b_cnt != 0) outw(po.pm1b_cnt, static_cast<uint16_t>((po.slp_typ_b << 10) | slp_en));
}

}  // namespace pvk::native
