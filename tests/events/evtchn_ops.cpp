// event_channel_op, every sub-operation and its refusals with the exact
// error of pvisor/event_channel.h, run as dom0 and as dom1 (the privilege
// rules differ). A loopback channel (alloc_unbound for ourselves, then
// bind it) checks send, status and close; a refused call must change
// nothing, which the port numbers handed out afterwards show (the table
// always hands out its lowest free port).
#include "ev.h"
#include "pvk/cmdline.h"

const char test_title[] = "evtchn_ops";

namespace {

using namespace ev;
using gt::check_rc;

bool g_privileged = false;
uint32_t g_self = 0;

// Read-only, but readable: the hypervisor can copy it in, not back.
const pv_evtchn_alloc_unbound g_readonly_alloc = {PV_DOMID_SELF, PV_DOMID_SELF, 0, 0};

// The next port the table will hand out: allocate one and free it again.
uint32_t next_free() {
    uint32_t p = 0;
    if (alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &p) != 0) return 0;
    (void)pv_event_channel_op(PV_EVTCHNOP_close, p);
    return p;
}

void check_range_and_closed(const char* what, uint64_t cmd) {
    const uint64_t beyond[] = {pvk::events::max_ports, PV_EVTCHN_MAX_PORTS, PV_EVTCHN_MAX_PORTS + 1, 0xffffffff,
                               uint64_t{1} << 32, ~uint64_t{0}};
    for (uint64_t p : beyond) check_rc(pv_event_channel_op(cmd, p), -PV_ERANGE, "%s port %#lx", what, p);
    check_rc(pv_event_channel_op(cmd, 0), -PV_ENOENT, "%s port 0 (never allocated)", what);
    check_rc(pv_event_channel_op(cmd, 700), -PV_ENOENT, "%s a closed port", what);
}

void alloc_unbound_ops() {
    uint32_t p = 0;
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &p), 0, "alloc_unbound for ourselves");
    pv_evtchn_status s;
    check_rc(status(PV_DOMID_SELF, p, &s), 0, "status of the unbound port");
    gt::check_eq(s.status, PV_EVTCHNSTAT_unbound, "unbound status");
    gt::check_eq(s.remote_dom, g_self, "unbound: remote_dom is ourselves");
    gt::check_eq(s.port, p, "status: port echoed");
    check_rc(status(g_self, p, &s), 0, "status naming our own ID");
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, p), 0, "close the unbound port");
    gt::check_eq(state_of(p), PV_EVTCHNSTAT_closed, "closed after close");

    uint32_t before = next_free();
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, nullptr, 1), -PV_EINVAL, "alloc_unbound pad 1");
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF + 1, nullptr), -PV_EINVAL, "alloc_unbound remote 0x7ff1");
    check_rc(alloc_unbound(PV_DOMID_SELF, 0xffffffff, nullptr), -PV_EINVAL, "alloc_unbound remote ~0");
    uint32_t other = g_self == 0 ? 1 : 0;
    if (g_privileged) {
        check_rc(alloc_unbound(200, PV_DOMID_SELF, nullptr), -PV_ESRCH, "dom0: alloc_unbound in no domain");
    } else {
        check_rc(alloc_unbound(other, PV_DOMID_SELF, nullptr), -PV_EPERM, "domU: alloc_unbound in dom%u", other);
        check_rc(status(other, 1, &s), -PV_EPERM, "domU: status of dom%u", other);
    }
    check_rc(status(PV_DOMID_SELF, pvk::events::max_ports, &s), -PV_ERANGE, "status beyond the table");
    check_rc(status(PV_DOMID_SELF, 0xffffffff, &s), -PV_ERANGE, "status of port ~0");
    check_rc(status(PV_DOMID_SELF, 900, &s), 0, "status of a closed port");
    gt::check_eq(s.status, PV_EVTCHNSTAT_closed, "a closed port's status");
    gt::check_eq(next_free(), before, "refused alloc_unbound calls allocated nothing");
}

void bind_interdomain_ops() {
    uint32_t offered = 0, other_offer = 0, local = 0;
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &offered), 0, "alloc_unbound to bind");
    // Offered to a domain that is not us (whether or not it exists).
    check_rc(alloc_unbound(PV_DOMID_SELF, 300, &other_offer), 0, "alloc_unbound offered to dom300");
    uint32_t before = next_free();
    check_rc(bind_interdomain(PV_DOMID_SELF, other_offer, nullptr), -PV_EACCES, "bind a port offered to another domain");
    check_rc(bind_interdomain(PV_DOMID_SELF, 700, nullptr), -PV_ENOENT, "bind a closed port");
    check_rc(bind_interdomain(PV_DOMID_SELF, 0, nullptr), -PV_ENOENT, "bind port 0");
    check_rc(bind_interdomain(PV_DOMID_SELF, pvk::events::max_ports, nullptr), -PV_ERANGE, "bind beyond the table");
    check_rc(bind_interdomain(PV_DOMID_SELF, 0xffffffff, nullptr), -PV_ERANGE, "bind port ~0");
    check_rc(bind_interdomain(250, 1, nullptr), -PV_ESRCH, "bind in a domain that does not exist");
    check_rc(bind_interdomain(PV_DOMID_SELF, offered, nullptr, 7), -PV_EINVAL, "bind_interdomain pad 7");
    gt::check_eq(next_free(), before, "refused binds allocated nothing");
    gt::check_eq(state_of(offered), PV_EVTCHNSTAT_unbound, "refused binds left the offer unbound");

    check_rc(bind_interdomain(PV_DOMID_SELF, offered, &local), 0, "bind our own offer (loopback)");
    pv_evtchn_status s;
    check_rc(status(PV_DOMID_SELF, local, &s), 0, "status of the bound port");
    gt::check_eq(s.status, PV_EVTCHNSTAT_interdomain, "bound port is interdomain");
    gt::check_eq(s.remote_dom, g_self, "bound port's remote_dom");
    gt::check_eq(s.remote_port, offered, "bound port's remote_port");
    check_rc(status(PV_DOMID_SELF, offered, &s), 0, "status of the offer");
    gt::check_eq(s.status, PV_EVTCHNSTAT_interdomain, "offer is interdomain now");
    gt::check_eq(s.remote_port, local, "offer's remote_port");
    check_rc(bind_interdomain(PV_DOMID_SELF, offered, nullptr), -PV_EINVAL, "bind an interdomain port again");

    // Loopback send: our own other end goes pending (events are masked).
    pvk::events::clear_pending(local);
    pvk::events::clear_pending(offered);
    check_rc(pv_event_channel_op(PV_EVTCHNOP_send, local), 0, "send on the loopback");
    gt::check(pvk::events::is_pending(offered), "send made the other end pending");
    gt::check(!pvk::events::is_pending(local), "send left the sending end alone");
    pvk::events::clear_pending(offered);

    // Closing one end returns the other to unbound, offered to us.
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, local), 0, "close one end");
    check_rc(status(PV_DOMID_SELF, offered, &s), 0, "status of the other end");
    gt::check_eq(s.status, PV_EVTCHNSTAT_unbound, "the other end is unbound again");
    gt::check_eq(s.remote_dom, g_self, "and offered to the closer");
    check_rc(pv_event_channel_op(PV_EVTCHNOP_send, offered), 0, "send on an unbound port (dropped)");
    gt::check(!pvk::events::is_pending(offered), "nothing pending after a dropped send");
    check_rc(bind_interdomain(PV_DOMID_SELF, offered, &local), 0, "rebind the returned port");
    pvk::events::clear_pending(local);
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, offered), 0, "close");
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, local), 0, "close");
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, other_offer), 0, "close");
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, local), -PV_ENOENT, "close twice");
}

void virq_ipi_vcpu_ops() {
    uint32_t timer = 0, ipi = 0, unbound = 0;
    check_rc(bind_virq(PV_VIRQ_TIMER, 0, &timer), 0, "bind VIRQ_TIMER");
    gt::check_eq(state_of(timer), PV_EVTCHNSTAT_virq, "timer port state");
    uint32_t before = next_free();
    check_rc(bind_virq(PV_VIRQ_TIMER, 0, nullptr), -PV_EEXIST, "bind VIRQ_TIMER twice");
    check_rc(bind_virq(PV_VIRQ_TIMER, 1, nullptr), -PV_ESRCH, "bind VIRQ_TIMER on vCPU 1");
    check_rc(bind_virq(PV_VIRQ_TIMER, 0, nullptr, 1), -PV_EINVAL, "bind_virq pad 1");
    const uint32_t bad_virqs[] = {3u, 7u, PV_NR_VIRQS, 0xffffffffu};
    for (uint32_t v : bad_virqs)
        check_rc(bind_virq(v, 0, nullptr), -PV_EINVAL, "bind reserved or unknown virq %u", v);
    if (!g_privileged) {
        check_rc(bind_virq(PV_VIRQ_CONSOLE, 0, nullptr), -PV_EPERM, "domU: bind VIRQ_CONSOLE");
        check_rc(bind_virq(PV_VIRQ_DOM_EXC, 0, nullptr), -PV_EPERM, "domU: bind VIRQ_DOM_EXC");
    }
    gt::check_eq(next_free(), before, "refused bind_virq calls allocated nothing");
    if (g_privileged) {
        uint32_t con = 0, exc = 0;
        check_rc(bind_virq(PV_VIRQ_CONSOLE, 0, &con), 0, "dom0: bind VIRQ_CONSOLE");
        check_rc(bind_virq(PV_VIRQ_DOM_EXC, 0, &exc), 0, "dom0: bind VIRQ_DOM_EXC");
        check_rc(bind_virq(PV_VIRQ_DOM_EXC, 0, nullptr), -PV_EEXIST, "dom0: bind VIRQ_DOM_EXC twice");
        check_rc(pv_event_channel_op(PV_EVTCHNOP_close, con), 0, "close VIRQ_CONSOLE");
        check_rc(pv_event_channel_op(PV_EVTCHNOP_close, exc), 0, "close VIRQ_DOM_EXC");
    }
    check_rc(pv_event_channel_op(PV_EVTCHNOP_send, timer), -PV_EINVAL, "send on a virq port");

    pv_evtchn_bind_ipi bi{0, 0};
    check_rc(op(PV_EVTCHNOP_bind_ipi, &bi), 0, "bind_ipi");
    ipi = bi.port;
    pv_evtchn_bind_ipi bad_ipi{1, 0};
    check_rc(op(PV_EVTCHNOP_bind_ipi, &bad_ipi), -PV_ESRCH, "bind_ipi to vCPU 1");
    gt::check_eq(state_of(ipi), PV_EVTCHNSTAT_ipi, "ipi port state");
    pvk::events::clear_pending(ipi);
    check_rc(pv_event_channel_op(PV_EVTCHNOP_send, ipi), 0, "send on the ipi port");
    gt::check(pvk::events::is_pending(ipi), "an ipi send makes the port itself pending");
    pvk::events::clear_pending(ipi);

    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &unbound), 0, "alloc_unbound for bind_vcpu");
    pv_evtchn_bind_vcpu bv{unbound, 0};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), 0, "bind_vcpu an unbound port to vCPU 0");
    bv = {unbound, 1};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), -PV_ESRCH, "bind_vcpu to vCPU 1");
    bv = {ipi, 0};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), -PV_EINVAL, "bind_vcpu an ipi port");
    bv = {timer, 0};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), -PV_EINVAL, "bind_vcpu a per-vCPU virq");
    bv = {700, 0};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), -PV_ENOENT, "bind_vcpu a closed port");
    bv = {pvk::events::max_ports, 0};
    check_rc(op(PV_EVTCHNOP_bind_vcpu, &bv), -PV_ERANGE, "bind_vcpu beyond the table");

    check_range_and_closed("send", PV_EVTCHNOP_send);
    check_range_and_closed("close", PV_EVTCHNOP_close);
    check_range_and_closed("unmask", PV_EVTCHNOP_unmask);
    check_rc(pv_event_channel_op(PV_EVTCHNOP_unmask, ipi), 0, "unmask a bound port");

    // Closing the VIRQ frees it for binding again.
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, timer), 0, "close the timer port");
    check_rc(bind_virq(PV_VIRQ_TIMER, 0, &timer), 0, "bind VIRQ_TIMER after closing it");
    const uint32_t ports[] = {timer, ipi, unbound};
    for (uint32_t p : ports) check_rc(pv_event_channel_op(PV_EVTCHNOP_close, p), 0, "close %u", p);
}

void unknown_and_bad_pointers() {
    const uint64_t unknown[] = {9, 0xffff, uint64_t{1} << 32, (uint64_t{1} << 32) | PV_EVTCHNOP_send};
    for (uint64_t cmd : unknown)
        check_rc(pv_event_channel_op(cmd, 1), -PV_ENOSYS, "sub-op %#lx", cmd);
    const uint64_t bad[] = {gt::unmapped_va(), gt::non_canonical, gt::hv_direct_map, gt::hv_last - 3,
                            ~uint64_t{0} - 7};
    const uint64_t struct_ops[] = {PV_EVTCHNOP_alloc_unbound, PV_EVTCHNOP_bind_interdomain, PV_EVTCHNOP_bind_virq,
                                   PV_EVTCHNOP_bind_ipi, PV_EVTCHNOP_status, PV_EVTCHNOP_bind_vcpu};
    uint32_t before = next_free();
    for (uint64_t cmd : struct_ops)
        for (uint64_t a : bad) check_rc(pv_event_channel_op(cmd, a), -PV_EFAULT, "sub-op %lu with arg %#lx", cmd, a);
    gt::check_eq(next_free(), before, "refused pointers allocated nothing");
}

// With evtchn_ports=N on the module string the table holds ports 1 to
// N-1: allocating fills exactly those, then gives ENOSPC; port N is out
// of range; closing one makes room for exactly one more.
void capacity_ops(uint64_t n) {
    uint32_t ports[pvk::events::max_ports];
    size_t got = 0;
    int64_t rc = 0;
    for (;;) {
        uint32_t p = 0;
        rc = alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &p);
        if (rc != 0 || got == pvk::events::max_ports) break;
        ports[got++] = p;
    }
    check_rc(rc, -PV_ENOSPC, "alloc_unbound in a full table of %lu ports", n);
    uint32_t highest = 0;
    for (size_t i = 0; i < got; ++i) highest = ports[i] > highest ? ports[i] : highest;
    gt::check_eq(static_cast<uint64_t>(highest), n - 1, "the highest port is the capacity less one");
    pv_evtchn_status s;
    check_rc(status(PV_DOMID_SELF, static_cast<uint32_t>(n - 1), &s), 0, "status of the last port");
    check_rc(status(PV_DOMID_SELF, static_cast<uint32_t>(n), &s), -PV_ERANGE, "status of port %lu", n);
    check_rc(pv_event_channel_op(PV_EVTCHNOP_send, n), -PV_ERANGE, "send on port %lu", n);
    if (got == 0) return;
    check_rc(pv_event_channel_op(PV_EVTCHNOP_close, ports[0]), 0, "close one port of the full table");
    uint32_t again = 0;
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, &again), 0, "alloc_unbound after a close");
    gt::check_eq(again, ports[0], "the freed port is handed out again");
    check_rc(alloc_unbound(PV_DOMID_SELF, PV_DOMID_SELF, nullptr), -PV_ENOSPC, "full again");
    for (size_t i = 0; i < got; ++i) (void)pv_event_channel_op(PV_EVTCHNOP_close, ports[i]);
}

}  // namespace

void test_main() {
    g_privileged = pvk::boot_info().privileged;
    g_self = pvk::boot_info().domid;
    if (uint64_t n = pvk::cmdline_u64("evtchn_ports", 0); n != 0) {
        // A small table: only its capacity is tested (the other cases
        // name ports such as 700 that would be out of its range).
        capacity_ops(n);
        if (gt::failures() == 0) test_pass();
        return;
    }
    // Events stay masked throughout: pending bits are inspected, not taken.
    alloc_unbound_ops();
    bind_interdomain_ops();
    virq_ipi_vcpu_ops();
    unknown_and_bad_pointers();

    // ABI: "On error nothing has changed and the structure is not written."
    // A struct the hypervisor can read but not write back must not leave a
    // port allocated behind the error. Reported, not failed, here (see the
    // BUG test of tests/events/meson.build, which runs with `strict`).
    uint32_t before = next_free();
    int64_t rc = op(PV_EVTCHNOP_alloc_unbound, &g_readonly_alloc);
    uint32_t after = next_free();
    pvk::kprintf("evtchn_ops: alloc_unbound into a read-only struct: rc %ld, next free port %u -> %u\n", rc, before,
                 after);
    if (pvk::cmdline_has("strict")) {
        gt::check_rc(rc, -PV_EFAULT, "alloc_unbound into a read-only struct");
        gt::check_eq(after, before, "a refused alloc_unbound left no port allocated");
    }
    if (gt::failures() == 0) test_pass();
}
