// The page-fault benchmark (lmbench-style): `arg` first touches of
// demand-zero heap pages, timed, in rounds of up to 256 pages that are
// given back between rounds (untimed), so memory stays small.
#include "pvk_user/syscall.h"

using namespace pvk_user;

int user_main(uint64_t faults) {
    constexpr uint64_t page = 4096, round = 256;
    uint64_t total = 0;
    for (uint64_t done = 0; done < faults;) {
        uint64_t n = faults - done < round ? faults - done : round;
        uint8_t* base = sbrk(static_cast<int64_t>(n * page));
        if (base == nullptr) return 1;
        uint64_t start = cycles();
        for (uint64_t i = 0; i < n; ++i) *reinterpret_cast<volatile uint8_t*>(base + i * page) = 1;
        total += cycles() - start;
        if (sbrk(-static_cast<int64_t>(n * page)) == nullptr) return 2;
        done += n;
    }
    bench_report("page_fault", total, faults);
    return 0;
}
