// Fakes of the services core code reaches the guest through, for the unit
// tests and fuzz targets: guest-virtual memory backed by a host buffer
// (core::GuestAccess), the hypervisor services a hypercall needs
// (core::HypercallHooks), and a guest put together from them that can make
// hypercalls. Free of GoogleTest so that the fuzz targets can use them too.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/domain.h"
#include "core/guest_access.h"
#include "core/guest_regs.h"
#include "core/hypercall.h"
#include "core/vcpu.h"

namespace fake {

// Guest-virtual memory [base, base + size), page by page mapped writable,
// mapped read-only, or unmapped; everything outside is unmapped. As the
// contract requires, it refuses what guest_range_ok refuses even where the
// buffer would cover it (a test may place it over the hypervisor's range).
// Like the real one, a failed copy may have copied a prefix (up to the
// first bad byte), so tests see whether callers rely on it.
class FakeGuestAccess final : public core::GuestAccess {
public:
    enum class Page : uint8_t { rw, ro, none };

    FakeGuestAccess(uint64_t base, size_t size);

    kstd::Result<void> copy_from(void* dst, core::Gva src, size_t len) override;
    kstd::Result<void> copy_to(core::Gva dst, const void* src, size_t len) override;
    void set_mode(core::Vcpu& v, core::VcpuMode mode) override;

    // Page attributes for every page touching [va, va + len).
    void protect(uint64_t va, uint64_t len, Page p);
    void unmap(uint64_t va, uint64_t len) { protect(va, len, Page::none); }
    void make_read_only(uint64_t va, uint64_t len) { protect(va, len, Page::ro); }

    // Direct host access for setting up and inspecting memory; the range
    // must lie inside the buffer (attributes are ignored).
    uint8_t* at(uint64_t va, size_t len = 1);
    template <typename T>
    T get(uint64_t va) {
        T v;
        std::memcpy(&v, at(va, sizeof v), sizeof v);
        return v;
    }
    template <typename T>
    void put(uint64_t va, const T& v) {
        std::memcpy(at(va, sizeof v), &v, sizeof v);
    }
    void fill(uint8_t byte);
    const std::vector<uint8_t>& bytes() const { return bytes_; }

    uint64_t base() const { return base_; }
    uint64_t end() const { return base_ + bytes_.size(); }

    // What the code under test did.
    std::vector<std::pair<core::Vcpu*, core::VcpuMode>> mode_switches;
    size_t reads = 0;   // copy_from calls
    size_t writes = 0;  // copy_to calls
    size_t failed = 0;  // copies that returned an error

private:
    // How many bytes from va on are accessible (for writing if `write`).
    size_t accessible(uint64_t va, size_t len, bool write) const;

    uint64_t base_;
    std::vector<uint8_t> bytes_;
    std::vector<Page> pages_;
};

// What FakeHooks::crash_current throws.
struct Crashed {
    std::string why;
};

// Records what the hypercalls asked of the hypervisor.
class FakeHooks final : public core::HypercallHooks {
public:
    void console_line(const core::Domain& d, const char* line) override;
    size_t console_read(char* buf, size_t len) override;
    void segment_base_changed(core::Vcpu& v) override;
    void yield(core::Vcpu& v) override;
    void block(core::Vcpu& v) override;
    void domain_ended(core::Domain& d) override;
    // Throws Crashed: a test cannot let it return, and it must not.
    [[noreturn]] void crash_current(const char* why) override;
    const char* build_string() override { return build.c_str(); }

    std::vector<std::string> lines;
    std::vector<const core::Domain*> line_domains;
    std::string input;  // what console_read hands out, from the front
    size_t yields = 0;
    size_t blocks = 0;
    std::vector<core::Domain*> ended;
    std::vector<core::Vcpu*> segment_changes;
    std::string build = "pvisor-test 0.1.0";
};

// A one-vCPU domain with its shared page, its registers, guest memory and
// hooks: enough to make hypercalls and bounce exceptions.
struct FakeGuest {
    // Guest memory: a kernel-half window (stacks, tables, buffers).
    static constexpr uint64_t mem_base = 0xffffffff80000000ull;
    static constexpr size_t mem_size = 16 * 4096;

    explicit FakeGuest(size_t size = mem_size, uint64_t base = mem_base);

    // Makes hypercall nr with the given arguments (rdi, rsi, rdx, r10, r8)
    // and returns rax afterwards.
    int64_t hypercall(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                      uint64_t a4 = 0);

    core::Domain domain;
    core::Vcpu vcpu;
    pv_shared_info shared{};
    core::GuestRegs regs{};
    FakeGuestAccess mem;
    FakeHooks hooks;
    // From the last hypercall.
    bool regs_replaced = false;
    const char* crash_reason = nullptr;
};

// Everything a hypercall or a bounce may change in a vCPU (and its slot of
// the shared page) or in a domain, flattened so that a test can compare a
// before and an after. The hypercall counter is left out: every call,
// rejected or not, counts.
std::vector<uint64_t> vcpu_state(const core::Vcpu& v);
std::vector<uint64_t> domain_state(const core::Domain& d);

}  // namespace fake
