// CPU shares under the credit scheduler. dom0 (role=ctl) sets the weight
// wN= and cap cN= of domains 1..n= through domctl and sleeps; every other
// domain sleeps until system time start= (ms), then counts loop
// iterations until end= (ms), also per bucket= ms, and prints
//
//   share: dom=D count=C buckets=B1,B2,...
//
// All workers run the same loop, so their counts are in the ratio of the
// CPU time they got. check_shares.py compares the ratios with the
// expected shares.
#include <kstd/format.h>

#include "ev.h"
#include "pvk/cmdline.h"
#include "pvk/kprintf.h"

const char test_title[] = "share";

namespace {

using namespace ev;
namespace events = pvk::events;

constexpr size_t max_buckets = 64;

void controller() {
    uint64_t n = pvk::cmdline_u64("n", 0);
    uint64_t start = pvk::cmdline_u64("start", 0) * ms, end = pvk::cmdline_u64("end", 0) * ms;
    for (uint64_t d = 1; d <= n; ++d) {
        char wkey[8], ckey[8];
        kstd::format(wkey, sizeof wkey, "w%lu", d);
        kstd::format(ckey, sizeof ckey, "c%lu", d);
        pv_domctl_sched s{static_cast<uint32_t>(pvk::cmdline_u64(wkey, 256)),
                          static_cast<uint32_t>(pvk::cmdline_u64(ckey, 0))};
        gt::check_rc(pv_domctl(PV_DOMCTL_set_sched, d, ptr(&s)), 0, "set_sched dom%lu %u/%u", d, s.weight, s.cap);
        pvk::kprintf("share: dom%lu weight %u cap %u\n", d, s.weight, s.cap);
    }
    uint64_t t = now();
    if (t >= start) return test_error("set up at %lu ms, after the start at %lu ms", t / ms, start / ms);
    if (events::sleep_until(end).is_error()) test_error("sleep_until");
}

void worker() {
    uint64_t start = pvk::cmdline_u64("start", 0) * ms, end = pvk::cmdline_u64("end", 0) * ms;
    uint64_t bucket = pvk::cmdline_u64("bucket", 300) * ms;
    pvk::kprintf("share: dom%u up at %lu ms\n", pvk::boot_info().domid, now() / ms);
    if (events::sleep_until(start).is_error()) return test_error("sleep_until");
    uint64_t t0 = now();
    if (t0 > start + 300 * ms) test_error("woke at %lu ms for the start at %lu ms", t0 / ms, start / ms);
    uint64_t counts[max_buckets] = {};
    uint64_t total = 0;
    for (uint64_t t = t0; t < end; t = now()) {
        size_t b = static_cast<size_t>((t - start) / bucket);
        if (b < max_buckets) ++counts[b];
        ++total;
    }
    char list[max_buckets * 12] = {};
    size_t len = 0;
    size_t nb = static_cast<size_t>((end - start) / bucket);  // whole buckets only
    for (size_t b = 0; b < nb && b < max_buckets; ++b)
        len += kstd::format(list + len, sizeof list - len, "%s%lu", b == 0 ? "" : ",", counts[b]);
    pvk::kprintf("share: dom=%u count=%lu buckets=%s\n", pvk::boot_info().domid, total, list);
}

}  // namespace

void test_main() {
    if (pvk::cmdline_is("role", "ctl")) controller();
    else worker();
    if (gt::failures() == 0) test_pass();
}
