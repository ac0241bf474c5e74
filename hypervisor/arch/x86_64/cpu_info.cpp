#include "cpu_info.h"

#include "core/log.h"
#include "cpu.h"
#include "kstd/format.h"

namespace arch {
namespace {

CpuInfo g_info;

// A space-separated word list in a fixed buffer.
struct WordList {
    char text[256] = {};
    size_t len = 0;
    void add(const char* word) {
        if (len < sizeof text)
            len += kstd::format(text + len, sizeof text - len, "%s%s", len == 0 ? "" : " ", word);
    }
};

bool bit(uint32_t reg, unsigned n) { return ((reg >> n) & 1) != 0; }

void copy_regs(char* dst, const uint32_t* regs, int count) {
    for (int i = 0; i < count; ++i)
        for (int b = 0; b < 4; ++b) dst[i * 4 + b] = static_cast<char>(regs[i] >> (8 * b));
}

}  // namespace

const CpuInfo& cpu_info() { return g_info; }

void cpu_info_detect() {
    CpuInfo& c = g_info;
    CpuidRegs r = cpuid(0);
    c.max_leaf = r.eax;
    uint32_t vendor_regs[3] = {r.ebx, r.edx, r.ecx};
    copy_regs(c.vendor, vendor_regs, 3);
    c.vendor[12] = '\0';

    // Leaf 1: signature and feature flags (Intel SDM Vol. 2A, CPUID).
    r = cpuid(1);
    uint32_t base_family = (r.eax >> 8) & 0xf, base_model = (r.eax >> 4) & 0xf;
    c.family = base_family == 0xf ? base_family + ((r.eax >> 20) & 0xff) : base_family;
    c.model = (base_family == 0x6 || base_family == 0xf) ? (((r.eax >> 16) & 0xf) << 4) | base_model : base_model;
    c.stepping = r.eax & 0xf;
    c.fxsr = bit(r.edx, 24);
    c.pge = bit(r.edx, 13);
    c.apic = bit(r.edx, 9);
    c.msr = bit(r.edx, 5);
    c.tsc = bit(r.edx, 4);
    c.pae = bit(r.edx, 6);
    c.pcid = bit(r.ecx, 17);
    c.x2apic = bit(r.ecx, 21);
    c.tsc_deadline = bit(r.ecx, 24);
    c.xsave = bit(r.ecx, 26);

    if (c.max_leaf >= 7) {
        r = cpuid(7, 0);
        c.fsgsbase = bit(r.ebx, 0);
        c.smep = bit(r.ebx, 7);
        c.invpcid = bit(r.ebx, 10);
        c.smap = bit(r.ebx, 20);
    }

    r = cpuid(0x80000000);
    c.max_ext_leaf = r.eax;
    if (c.max_ext_leaf >= 0x80000001) {
        r = cpuid(0x80000001);
        c.syscall = bit(r.edx, 11);
        c.nx = bit(r.edx, 20);
        c.page1g = bit(r.edx, 26);
        c.lm = bit(r.edx, 29);
    }
    if (c.max_ext_leaf >= 0x80000004) {
        for (uint32_t leaf = 0; leaf < 3; ++leaf) {
            r = cpuid(0x80000002 + leaf);
            uint32_t regs[4] = {r.eax, r.ebx, r.ecx, r.edx};
            copy_regs(c.brand + leaf * 16, regs, 4);
        }
        c.brand[48] = '\0';
    } else {
        c.brand[0] = '\0';
    }
    if (c.max_ext_leaf >= 0x80000007) c.invariant_tsc = bit(cpuid(0x80000007).edx, 8);
}

bool cpu_info_report() {
    const CpuInfo& c = g_info;
    const char* brand = c.brand;
    while (*brand == ' ') ++brand;
    core::print("pvisor: cpu: %s family %u model %u stepping %u \"%s\"\n", c.vendor, c.family, c.model,
                c.stepping, brand);
    struct Feature {
        const char* name;
        bool present;
        bool required;
    };
    const Feature features[] = {
        {"lm", c.lm, true},         {"nx", c.nx, true},           {"syscall", c.syscall, true},
        {"pae", c.pae, true},       {"pge", c.pge, true},         {"tsc", c.tsc, true},
        {"msr", c.msr, true},       {"apic", c.apic, true},       {"fxsr", c.fxsr, true},
        {"pcid", c.pcid, false},    {"invpcid", c.invpcid, false}, {"smep", c.smep, false},
        {"smap", c.smap, false},    {"fsgsbase", c.fsgsbase, false}, {"pdpe1gb", c.page1g, false},
        {"x2apic", c.x2apic, false}, {"tsc-deadline", c.tsc_deadline, false},
        {"invariant-tsc", c.invariant_tsc, false}, {"xsave", c.xsave, false},
    };
    WordList have, missing_optional;
    bool ok = true;
    for (const Feature& f : features) {
        if (f.present) {
            have.add(f.name);
        } else if (f.required) {
            core::print("pvisor: FATAL: cpu lacks required feature '%s'\n", f.name);
            ok = false;
        } else {
            missing_optional.add(f.name);
        }
    }
    core::print("pvisor: cpu features: %s\n", have.text);
    core::print("pvisor: cpu features absent (optional): %s\n",
                missing_optional.len == 0 ? "none" : missing_optional.text);
    return ok;
}

void cpu_enable_protections() {
    // x87 and SSE for guests: native FPU errors (#MF), SSE enabled with
    // FXSAVE and unmasked SIMD exceptions as #XM. The hypervisor itself
    // never touches these registers (-mgeneral-regs-only); it switches
    // them between vCPUs (sched.cpp). RDTSC stays allowed in ring 3
    // (CR4.TSD clear): guests read time without a hypercall.
    write_cr0((read_cr0() & ~(cr0::em | cr0::ts)) | cr0::mp | cr0::ne);
    uint64_t cr4v = (read_cr4() | cr4::osfxsr | cr4::osxmmexcpt) & ~cr4::tsd;
    if (g_info.pge) cr4v |= cr4::pge;
    // SMEP: the hypervisor never executes guest (user) pages. SMAP waits
    // until every guest-memory access goes through the stac/clac helpers.
    if (g_info.smep) cr4v |= cr4::smep;
    write_cr4(cr4v);
}

}  // namespace arch
