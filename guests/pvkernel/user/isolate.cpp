// Address-space isolation: fills a global array and a heap page with its
// marker (`arg`), then yields many times to whatever else runs, checking
// after each that nothing changed. Run two at once with different
// markers: each must see only its own. Exits 0, or 1 on a changed word.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

constexpr uint64_t words = 512;
constinit volatile uint64_t g_data[words] = {};

bool intact(volatile uint64_t* heap, uint64_t marker) {
    for (uint64_t i = 0; i < words; ++i)
        if (g_data[i] != marker + i || heap[i] != ~(marker + i)) return false;
    return true;
}

}  // namespace

int user_main(uint64_t marker) {
    auto* heap = reinterpret_cast<volatile uint64_t*>(sbrk(words * 8));
    if (heap == nullptr) return 2;
    for (uint64_t i = 0; i < words; ++i) {
        g_data[i] = marker + i;
        heap[i] = ~(marker + i);
    }
    for (int round = 0; round < 50; ++round) {
        sys_yield();
        if (!intact(heap, marker)) return 1;
    }
    printf("isolate: marker %#lx intact\n", marker);
    return 0;
}
