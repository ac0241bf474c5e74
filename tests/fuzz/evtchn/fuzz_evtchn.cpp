// libFuzzer target for the event-channel operations: random sequences of
// operations from three domains (dom0 privileged), with the guest's own
// moves (masking ports, running its upcall handler) mixed in, and after
// every step a check of the invariants:
//   - both ends of every interdomain channel name each other;
//   - VIRQ rows and VIRQ ports agree; port 0 is never used; notified
//     vCPUs exist;
//   - a closed port is never pending;
//   - a pending, unmasked port has its word's bit in its vCPU's selector,
//     and a non-zero selector has upcall_pending set;
//   - upcall_pending going 0 -> 1 always came with a kick of that vCPU;
//   - a refused operation changed nothing.
//
// Input: byte 0 picks the table sizes; then each operation takes 5 bytes
// (opcode, caller, and three argument bytes).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <vector>

#include "../../unit/evtchn/evtchn_world.h"
#include "core/evtchn.h"
#include "core/evtchn_pending.h"
#include "core/evtchn_wait.h"

namespace {

[[noreturn]] void fail(const char* what) {
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
}
#define CHECK(cond) \
    do {            \
        if (!(cond)) fail(#cond); \
    } while (0)

// Ports: mostly in range, sometimes just past it, sometimes wild.
uint64_t port_arg(uint8_t b, const core::EvtchnTable& t) {
    if (b >= 0xf8) return uint64_t{b} << 29;
    return b % (t.capacity() + 2);
}

pv_domid_t dom_arg(uint8_t b) {
    if (b >= 0xf0) return PV_DOMID_SELF;
    return b % 5;  // 3 and 4 do not exist
}

std::vector<uint8_t> snapshot(evtest::World& w) {
    std::vector<uint8_t> out;
    for (auto& d : w.doms) {
        auto* p = reinterpret_cast<const uint8_t*>(d->ports.data());
        out.insert(out.end(), p, p + d->ports.size() * sizeof(core::Port));
        auto* s = reinterpret_cast<const uint8_t*>(d->shared.get());
        out.insert(out.end(), s, s + sizeof(pv_shared_info));
        for (uint32_t v = 0; v < d->domain.vcpu_count; ++v) {
            auto* e = reinterpret_cast<const uint8_t*>(&d->table.events(v));
            out.insert(out.end(), e, e + sizeof(core::VcpuEvents));
        }
        out.push_back(static_cast<uint8_t>(d->table.poll_mask));
    }
    return out;
}

void check_invariants(evtest::World& w) {
    for (auto& dp : w.doms) {
        evtest::TestDomain& d = *dp;
        if (d.domain.dead()) continue;
        core::EvtchnTable& t = d.table;
        CHECK(t.port(0).state == core::PortState::free);
        for (uint32_t p = 0; p < t.capacity(); ++p) {
            const core::Port& port = t.port(p);
            bool pending = core::evtchn_is_pending(t, p);
            bool masked = core::evtchn_is_masked(t, p);
            if (port.state == core::PortState::free) {
                CHECK(!pending);
                continue;
            }
            CHECK(port.notify_vcpu < d.domain.vcpu_count);
            switch (port.state) {
            case core::PortState::interdomain: {
                core::EvtchnTable* peer = w.evtchn_table(port.remote_dom);
                CHECK(peer != nullptr);
                CHECK(port.peer == peer);  // what send uses instead of a lookup
                CHECK(peer->in_range(port.remote_port));
                const core::Port& rp = peer->port(port.remote_port);
                CHECK(rp.state == core::PortState::interdomain);
                CHECK(rp.remote_dom == d.domain.id);
                CHECK(rp.remote_port == p);
                break;
            }
            case core::PortState::unbound:
                CHECK(port.remote_dom < PV_DOMID_SELF);
                CHECK(port.peer == nullptr);
                break;
            case core::PortState::virq: {
                CHECK(core::virq_is_defined(port.virq));
                uint32_t row = core::virq_is_per_vcpu(port.virq) ? port.notify_vcpu : 0;
                CHECK(t.events(row).virq_port[port.virq] == p);
                break;
            }
            case core::PortState::ipi:
            case core::PortState::free: break;
            }
            if (pending && !masked) {
                const pv_vcpu_info& info = d.info(port.notify_vcpu);
                CHECK((info.evtchn_pending_sel >> (p / 64)) & 1);
                CHECK(info.upcall_pending == 1);
            }
        }
        for (uint32_t v = 0; v < d.domain.vcpu_count; ++v) {
            for (uint32_t virq = 0; virq < PV_NR_VIRQS; ++virq) {
                uint16_t p = t.events(v).virq_port[virq];
                if (p == 0) continue;
                CHECK(p < t.capacity());
                CHECK(t.port(p).state == core::PortState::virq && t.port(p).virq == virq);
            }
            if (d.info(v).evtchn_pending_sel != 0) CHECK(d.info(v).upcall_pending == 1);
        }
        CHECK((t.poll_mask >> d.domain.vcpu_count) == 0);
    }
}

// The guest's upcall handler on one vCPU, done in one go.
void guest_upcall(evtest::TestDomain& d, uint32_t v) {
    pv_vcpu_info& info = d.info(v);
    info.upcall_pending = 0;
    uint64_t sel = info.evtchn_pending_sel;
    info.evtchn_pending_sel = 0;
    while (sel != 0) {
        uint32_t word = static_cast<uint32_t>(__builtin_ctzll(sel));
        sel &= sel - 1;
        uint64_t bits = d.shared->evtchn_pending[word] & ~d.shared->evtchn_mask[word];
        while (bits != 0) {
            uint32_t b = static_cast<uint32_t>(__builtin_ctzll(bits));
            bits &= bits - 1;
            uint32_t p = word * 64 + b;
            // Ports for other vCPUs are theirs to handle (their selector
            // has the word too).
            if (p < d.table.capacity() && d.table.port(p).notify_vcpu != v) continue;
            d.shared->evtchn_pending[word] &= ~(uint64_t{1} << b);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    evtest::World w;
    // Port arguments come from one byte, so tables past 256 ports add nothing
    // but time; the capacity limit itself is unit-tested.
    const uint32_t sizes[] = {2, 16, 64, 65, 128, 130, 200, 256};
    w.add(2, sizes[data[0] & 7], true);
    w.add(2, sizes[(data[0] >> 3) & 7], false);
    w.add(1, 16 + (data[0] >> 6) * 50, false);

    for (size_t i = 1; i + 5 <= size; i += 5) {
        const uint8_t op = data[i], who = data[i + 1] % 3, a = data[i + 2], b = data[i + 3], c = data[i + 4];
        evtest::TestDomain& d = *w.doms[who];
        if (d.domain.dead()) continue;
        core::EvtchnCaller caller = w.caller(who);
        core::EvtchnTable& t = d.table;

        std::vector<uint8_t> before = snapshot(w);
        std::vector<uint8_t> upcall_before;
        for (auto& dd : w.doms)
            for (uint32_t v = 0; v < dd->domain.vcpu_count; ++v) upcall_before.push_back(dd->info(v).upcall_pending);
        w.kicks.clear();

        bool refused = false;
        switch (op % 15) {
        case 0: refused = core::evtchn_alloc_unbound(caller, dom_arg(a), dom_arg(b)).is_error(); break;
        case 1: {
            core::EvtchnTable* rt = w.evtchn_table(a % 3);
            refused = core::evtchn_bind_interdomain(caller, dom_arg(a), port_arg(b, rt ? *rt : t)).is_error();
            break;
        }
        case 2: refused = core::evtchn_bind_virq(caller, a % (PV_NR_VIRQS + 1), b % 3).is_error(); break;
        case 3: refused = core::evtchn_bind_ipi(caller, a % 3).is_error(); break;
        case 4: refused = core::evtchn_send(caller, port_arg(a, t)).is_error(); break;
        case 5: refused = core::evtchn_close(caller, port_arg(a, t)).is_error(); break;
        case 6: refused = core::evtchn_status(caller, dom_arg(a), port_arg(b, t)).is_error(); break;
        case 7: refused = core::evtchn_unmask(caller, port_arg(a, t)).is_error(); break;
        case 8: refused = core::evtchn_bind_vcpu(caller, port_arg(a, t), b % 3).is_error(); break;
        case 9: {  // the guest masks a port with a plain store
            uint64_t p = port_arg(a, t);
            if (p < t.capacity()) d.shared->evtchn_mask[p / 64] |= uint64_t{1} << (p % 64);
            break;
        }
        case 10: guest_upcall(d, a % d.domain.vcpu_count); break;
        case 11:
            if (c & 1) core::evtchn_raise_global_virq(t, w, a % PV_NR_VIRQS);
            else core::evtchn_raise_virq(t, w, b % 3, a % PV_NR_VIRQS);
            break;
        case 12: {
            core::Vcpu& v = d.vcpus[a % d.domain.vcpu_count];
            if (v.state != core::VcpuState::runnable) break;
            std::vector<uint32_t> ports;
            for (uint32_t k = 0; k < (c % 3); ++k) ports.push_back(static_cast<uint32_t>(port_arg(k ? c : b, t)));
            auto r = core::poll_prepare(t, v, kstd::span<const uint32_t>(ports.data(), ports.size()), 0, 0);
            refused = r.is_error();
            break;
        }
        case 13: {  // whatever woke (or would wake) a vCPU: it runs again
            core::Vcpu& v = d.vcpus[a % d.domain.vcpu_count];
            core::poll_finish(t, v);
            v.state = core::VcpuState::runnable;
            break;
        }
        case 14:
            if (who == 0 || (c & 3) != 0) break;  // dom0 stays, and deaths are rare
            core::evtchn_close_all(t);
            d.domain.crash("fuzz");
            break;
        }

        if (refused) CHECK(before == snapshot(w));
        size_t k = 0;
        for (auto& dd : w.doms) {
            for (uint32_t v = 0; v < dd->domain.vcpu_count; ++v, ++k) {
                if (upcall_before[k] != 0 || dd->info(v).upcall_pending == 0) continue;
                if (op % 15 == 10) continue;  // the guest's own handler
                CHECK(std::find(w.kicks.begin(), w.kicks.end(), &dd->vcpus[v]) != w.kicks.end());
            }
        }
        check_invariants(w);
    }
    return 0;
}
