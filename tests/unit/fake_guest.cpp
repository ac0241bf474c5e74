#include "fake_guest.h"

#include <pvisor/abi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace fake {

FakeGuestAccess::FakeGuestAccess(uint64_t base, size_t size)
    : base_(base), bytes_(size, 0), pages_((size + core::page_size - 1) / core::page_size, Page::rw) {
    if (base % core::page_size != 0) {
        std::fprintf(stderr, "FakeGuestAccess: base %#llx is not page-aligned\n",
                     static_cast<unsigned long long>(base));
        std::abort();
    }
}

size_t FakeGuestAccess::accessible(uint64_t va, size_t len, bool write) const {
    size_t n = 0;
    while (n < len) {
        uint64_t a = va + n;
        if (a < va) break;  // wrapped
        if (!core::guest_range_ok(a, 1)) break;
        if (a < base_ || a - base_ >= bytes_.size()) break;
        Page p = pages_[(a - base_) / core::page_size];
        if (p == Page::none || (write && p == Page::ro)) break;
        // The rest of this page is as accessible as its first byte.
        uint64_t page_left = core::page_size - (a % core::page_size);
        n += static_cast<size_t>(std::min<uint64_t>(page_left, len - n));
    }
    return std::min(n, len);
}

kstd::Result<void> FakeGuestAccess::copy_from(void* dst, core::Gva src, size_t len) {
    ++reads;
    size_t n = accessible(src.raw, len, false);
    if (n > 0) std::memcpy(dst, bytes_.data() + (src.raw - base_), n);
    if (n < len) {
        ++failed;
        return kstd::Error::fault;
    }
    return kstd::ok();
}

kstd::Result<void> FakeGuestAccess::copy_to(core::Gva dst, const void* src, size_t len) {
    ++writes;
    size_t n = accessible(dst.raw, len, true);
    if (n > 0) std::memcpy(bytes_.data() + (dst.raw - base_), src, n);
    if (n < len) {
        ++failed;
        return kstd::Error::fault;
    }
    return kstd::ok();
}

void FakeGuestAccess::set_mode(core::Vcpu& v, core::VcpuMode mode) {
    mode_switches.emplace_back(&v, mode);
    v.mode = mode;
}

void FakeGuestAccess::protect(uint64_t va, uint64_t len, Page p) {
    if (len == 0) return;
    uint64_t first = va < base_ ? 0 : (va - base_) / core::page_size;
    uint64_t last_va = va + len - 1;
    if (last_va < base_) return;
    uint64_t last = std::min<uint64_t>((last_va - base_) / core::page_size, pages_.size() - 1);
    for (uint64_t i = first; i <= last && i < pages_.size(); ++i) pages_[i] = p;
}

uint8_t* FakeGuestAccess::at(uint64_t va, size_t len) {
    if (va < base_ || va - base_ > bytes_.size() || len > bytes_.size() - (va - base_)) {
        std::fprintf(stderr, "FakeGuestAccess::at(%#llx, %zu) is outside the buffer\n",
                     static_cast<unsigned long long>(va), len);
        std::abort();
    }
    return bytes_.data() + (va - base_);
}

void FakeGuestAccess::fill(uint8_t byte) { std::fill(bytes_.begin(), bytes_.end(), byte); }

void FakeHooks::console_line(const core::Domain& d, const char* line) {
    lines.emplace_back(line);
    line_domains.push_back(&d);
}

size_t FakeHooks::console_read(char* buf, size_t len) {
    size_t n = std::min(len, input.size());
    std::memcpy(buf, input.data(), n);
    input.erase(0, n);
    return n;
}

void FakeHooks::segment_base_changed(core::Vcpu& v) { segment_changes.push_back(&v); }
void FakeHooks::yield(core::Vcpu&) { ++yields; }
void FakeHooks::block(core::Vcpu&) { ++blocks; }
void FakeHooks::domain_ended(core::Domain& d) { ended.push_back(&d); }
void FakeHooks::crash_current(const char* why) { throw Crashed{why != nullptr ? why : ""}; }

FakeGuest::FakeGuest(size_t size, uint64_t base) : mem(base, size) {
    domain.id = 1;
    std::snprintf(domain.name, sizeof domain.name, "test");
    domain.shared = &shared;
    domain.vcpus[0] = &vcpu;
    domain.vcpu_count = 1;
    domain.pause_count = 0;
    vcpu.domain = &domain;
    vcpu.state = core::VcpuState::runnable;
    vcpu.info = &shared.vcpu[0];
    vcpu.kernel_root = core::Mfn(0x1000);
    vcpu.user_root = core::Mfn(0x2000);
    regs.cs = PV_GUEST_CS;
    regs.ss = PV_GUEST_SS;
    regs.rflags = core::rflags::if_ | core::rflags::reserved1;
    regs.rip = base;
    regs.rsp = base + size - 256;
}

int64_t FakeGuest::hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4) {
    regs.rax = nr;
    regs.rdi = a0;
    regs.rsi = a1;
    regs.rdx = a2;
    regs.r10 = a3;
    regs.r8 = a4;
    core::HypercallContext ctx{vcpu, domain, regs, mem, hooks};
    core::hypercall_dispatch(ctx);
    regs_replaced = ctx.regs_replaced;
    crash_reason = ctx.crash_reason;
    return static_cast<int64_t>(regs.rax);
}

std::vector<uint64_t> vcpu_state(const core::Vcpu& v) {
    std::vector<uint64_t> s;
    s.reserve(16 + 2 * (core::Vcpu::trap_count + PV_CALLBACK_MAX));
    s = {static_cast<uint64_t>(v.mode), static_cast<uint64_t>(v.state), v.kernel_sp, v.fs_base, v.gs_base_user,
         v.gs_base_kernel, v.kernel_root.raw, v.user_root.raw, reinterpret_cast<uint64_t>(v.info), v.bounces};
    for (const core::TrapEntry& t : v.traps) {
        s.push_back(t.address);
        s.push_back(t.flags);
    }
    for (const core::Callback& c : v.callbacks) {
        s.push_back(c.address);
        s.push_back(c.flags);
    }
    if (v.info != nullptr) {
        s.push_back(v.info->upcall_pending);
        s.push_back(v.info->upcall_mask);
        s.push_back(v.info->fault_address);
    }
    return s;
}

std::vector<uint64_t> domain_state(const core::Domain& d) {
    // The line buffer and crash reason packed eight bytes to a word.
    std::vector<uint64_t> s(5 + (d.console_len + 7) / 8 + (sizeof d.crash_reason + 7) / 8, 0);
    s[0] = static_cast<uint64_t>(d.state);
    s[1] = d.pause_count;
    s[2] = d.shutdown_reason;
    s[3] = d.console_len;
    s[4] = d.privileged ? 1 : 0;
    std::memcpy(&s[5], d.console_line, d.console_len);
    std::memcpy(&s[5 + (d.console_len + 7) / 8], d.crash_reason, sizeof d.crash_reason);
    return s;
}

}  // namespace fake
