// What the memory hypercalls (hc_mm.cpp, hc_multicall.cpp) and the
// emulation of trapped page-table writes need from the hypervisor: the
// machine's one memory-management context (frame table, frame access, TLB
// hooks, hypervisor slots), the frame pool, and the TLB flushes a guest
// asks for. The hypervisor installs its implementation at boot
// (arch/x86_64/mm.cpp); unit tests install a small world of host memory.
// Until one is installed the memory hypercalls return -PV_ENOSYS.
//
// Locking: everything reachable through MmServices (the frame table, every
// domain's MmDomain and page tables) is guarded by the one memory-management
// lock, taken only through mm_locked(). Today pvisor runs on one CPU and
// hypercalls and traps run with interrupts off, so the lock never spins; it
// marks the critical sections for SMP. It is a leaf lock: nothing else is
// taken while it is held, and no code that may switch vCPUs (yield, block,
// crash) runs under it.
#pragma once

#include <stdint.h>

#include "core/memory_op.h"
#include "core/mm.h"
#include "core/vcpu.h"
#if PVISOR_HYPERVISOR
#include <x86/cpu.h>
#endif

namespace core {

class MmServices {
public:
    // Not virtual: every memory hypercall asks for it first.
    MmContext& context() { return ctx_; }
    virtual FramePool& pool() = 0;
    // Carries out flushes for vCPU v, which runs on this CPU: local_all and
    // domain_all reload CR3 with v's live root (which also makes a changed
    // root take effect), the page kinds INVLPG the address. With one CPU,
    // "every CPU running the domain" is this one.
    virtual void flush(Vcpu& v, const FlushRequest& req) = 0;
    // flush(v, local_all) for a vCPU in kernel mode (its kernel root is the
    // live one). In the hypervisor, whose flush (arch/x86_64/mm.cpp) does
    // that as a load of CR3 with the live root, the load itself without
    // the virtual call; elsewhere flush.
    void reload_kernel_root(Vcpu& v) {
#if PVISOR_HYPERVISOR
        x86::write_cr3(to_maddr(v.kernel_root).raw);
#else
        FlushRequest r;
        r.add_all(false);
        flush(v, r);
#endif
    }

protected:
    // ctx must outlive the services (it may be a member of the derived
    // class, constructed after this base: only its address is kept).
    explicit MmServices(MmContext& ctx) : ctx_(ctx) {}
    ~MmServices() = default;

private:
    MmContext& ctx_;
};

// Installs (or with nullptr removes) the services; returns the old ones.
MmServices* mm_set_services(MmServices* s);

// The memory-management lock; see above.
class MmLock {
public:
    void lock() {
        while (__atomic_test_and_set(&held_, __ATOMIC_ACQUIRE)) __builtin_ia32_pause();
    }
    void unlock() { __atomic_clear(&held_, __ATOMIC_RELEASE); }

private:
    bool held_ = false;
};

namespace detail {
// Defined in mm_services.cpp; here so that every memory hypercall reaches
// them without a call.
extern MmServices* g_mm_services;
extern MmLock g_mm_lock;
inline MmLock& mm_lock() { return g_mm_lock; }
inline MmServices& mm_services_unlocked() { return *g_mm_services; }
}  // namespace detail

inline bool mm_available() { return detail::g_mm_services != nullptr; }

// Runs f(services) with the lock held. The services must be installed.
template <typename F>
auto mm_locked(F&& f) -> decltype(f(detail::mm_services_unlocked())) {
    struct Guard {
        MmLock& l;
        explicit Guard(MmLock& lk) : l(lk) { l.lock(); }
        ~Guard() { l.unlock(); }
    } g(detail::mm_lock());
    return f(detail::mm_services_unlocked());
}

}  // namespace core
