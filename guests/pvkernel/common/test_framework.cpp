// The micro-guest test framework (pvk/test.h).
#include "pvk/test.h"

#include <kstd/format.h>

#include "pvk/kernel.h"
#include "pvk/panic.h"

namespace {

// In increasing severity; the most severe result wins.
enum class Outcome : uint8_t { none, pass, skip, fail, error };

constinit Outcome g_outcome = Outcome::none;
constinit char g_reason[200] = {};
constinit bool g_reported = false;

void record(Outcome o, const char* reason) {
    if (o <= g_outcome) return;
    g_outcome = o;
    kstd::format(g_reason, sizeof g_reason, "%s", reason);
}

void vrecord(Outcome o, const char* fmt, va_list ap) {
    char reason[sizeof g_reason];
    kstd::vformat(reason, sizeof reason, fmt, ap);
    // Every failure is shown, not only the one the result line carries.
    if (o == Outcome::fail || o == Outcome::error) pvk::kprintf("pvk-test: note: %s\n", reason);
    record(o, reason);
}

void report() {
    if (g_reported) return;
    g_reported = true;
    switch (g_outcome) {
    case Outcome::pass: pvk::kprintf("pvk-test: %s: PASS\n", test_title); break;
    case Outcome::skip: pvk::kprintf("pvk-test: %s: SKIP: %s\n", test_title, g_reason); break;
    case Outcome::fail: pvk::kprintf("pvk-test: %s: FAIL: %s\n", test_title, g_reason); break;
    case Outcome::error: pvk::kprintf("pvk-test: %s: ERROR: %s\n", test_title, g_reason); break;
    case Outcome::none:
        pvk::kprintf("pvk-test: %s: ERROR: test_main returned without a result\n", test_title);
        break;
    }
}

void on_panic(const char* message) {
    if (!g_reported) {
        g_reported = true;
        pvk::kprintf("pvk-test: %s: ERROR: panic: %s\n", test_title, message);
    }
}

}  // namespace

void test_pass() { record(Outcome::pass, ""); }

#define PVK_RECORD(outcome)          \
    do {                             \
        va_list ap;                  \
        va_start(ap, fmt);           \
        vrecord(outcome, fmt, ap);   \
        va_end(ap);                  \
    } while (0)

void test_fail(const char* fmt, ...) { PVK_RECORD(Outcome::fail); }
void test_skip(const char* fmt, ...) { PVK_RECORD(Outcome::skip); }
void test_error(const char* fmt, ...) { PVK_RECORD(Outcome::error); }

// Weak so that an image with its own kernel_main (the demo, main.cpp) wins
// even if this object is linked in whole.
[[gnu::weak]] void kernel_main() {
    pvk::set_panic_hook(on_panic);
    pvk::kprintf("pvk-test: running \"%s\"\n", test_title);
    test_main();
    report();
}
