#include "core/hypercall.h"

#include <pvisor/hypercall_numbers.h>

#include "core/log.h"

namespace core {
namespace {

// Adapters from the raw argument registers to each handler's signature.
struct Args {
    uint64_t a[5];
};

template <int N>
struct Invoke;

#define PV_HYPERCALL_ENTRY(number, name, nargs, privileged)                                   \
    HypercallResult call_##name(HypercallContext& ctx, const Args& args) {                    \
        return Invoke<nargs>::run(ctx, args, hc_##name);                                      \
    }

template <>
struct Invoke<0> {
    template <typename F>
    static HypercallResult run(HypercallContext& c, const Args&, F f) { return f(c); }
};
template <>
struct Invoke<1> {
    template <typename F>
    static HypercallResult run(HypercallContext& c, const Args& a, F f) { return f(c, a.a[0]); }
};
template <>
struct Invoke<2> {
    template <typename F>
    static HypercallResult run(HypercallContext& c, const Args& a, F f) { return f(c, a.a[0], a.a[1]); }
};
template <>
struct Invoke<3> {
    template <typename F>
    static HypercallResult run(HypercallContext& c, const Args& a, F f) { return f(c, a.a[0], a.a[1], a.a[2]); }
};

#include "hypercall_table.inc"
#undef PV_HYPERCALL_ENTRY

struct TableEntry {
    HypercallResult (*fn)(HypercallContext&, const Args&);
    bool privileged;
    const char* name;
};

constexpr TableEntry make_table_entry(HypercallResult (*fn)(HypercallContext&, const Args&), bool privileged,
                                      const char* name) {
    return {fn, privileged, name};
}

// The dispatch table, indexed by hypercall number; holes are null.
struct Table {
    TableEntry entries[PV_HYPERCALL_COUNT] = {};
    constexpr Table() {
#define PV_HYPERCALL_ENTRY(number, name, nargs, privileged) \
    entries[number] = make_table_entry(call_##name, privileged, #name);
#include "hypercall_table.inc"
#undef PV_HYPERCALL_ENTRY
    }
};
constexpr Table table;

}  // namespace

void hypercall_dispatch(HypercallContext& ctx) {
    GuestRegs& r = ctx.regs;
    ++ctx.vcpu.hypercalls;
    HypercallResult ret;
    uint64_t nr = r.rax;
    if (nr >= PV_HYPERCALL_COUNT || table.entries[nr].fn == nullptr) {
        ret = hc_error(kstd::Error::nosys);
    } else if (table.entries[nr].privileged && !ctx.domain.privileged) {
        ret = hc_error(kstd::Error::perm);
    } else {
        Args args{{r.rdi, r.rsi, r.rdx, r.r10, r.r8}};
        ret = table.entries[nr].fn(ctx, args);
    }
    if (log_enabled(LogLevel::debug) && ret < 0)
        LOG_DEBUG("d%u: hypercall %lu (%s) -> %ld\n", ctx.domain.id, nr,
                  nr < PV_HYPERCALL_COUNT && table.entries[nr].name != nullptr ? table.entries[nr].name : "?", ret);
    if (!ctx.regs_replaced) r.rax = static_cast<uint64_t>(ret);
}

}  // namespace core
