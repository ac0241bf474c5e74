// Demand-zero memory: grows the heap by `arg` pages and touches each (it
// must read as zero first), recurses deep into the stack, then shrinks the
// heap and grows it again (the pages must be zero again). Exits 0 on
// success, else the failed check's number.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

constexpr uint64_t page = 4096;

int touch(uint8_t* base, uint64_t pages) {
    for (uint64_t i = 0; i < pages; ++i) {
        auto* p = reinterpret_cast<volatile uint64_t*>(base + i * page);
        if (p[0] != 0 || p[page / 8 - 1] != 0) return 1;
        p[0] = i + 1;
        p[page / 8 - 1] = ~i;
    }
    for (uint64_t i = 0; i < pages; ++i) {
        auto* p = reinterpret_cast<volatile uint64_t*>(base + i * page);
        if (p[0] != i + 1 || p[page / 8 - 1] != ~i) return 2;
    }
    return 0;
}

// Each level uses a page of stack.
uint64_t deep(uint64_t depth) {
    volatile uint8_t frame[page];
    frame[0] = static_cast<uint8_t>(depth);
    frame[page - 1] = static_cast<uint8_t>(depth);
    if (depth == 0) return frame[0];
    return deep(depth - 1) + frame[page - 1];
}

}  // namespace

int user_main(uint64_t pages) {
    uint8_t* base = sbrk(static_cast<int64_t>(pages * page));
    if (base == nullptr) return 10;
    if (int rc = touch(base, pages); rc != 0) return 10 + rc;
    if (deep(64) != 64 * 65 / 2) return 20;
    if (sbrk(-static_cast<int64_t>(pages * page)) != base + pages * page) return 30;
    if (sbrk(static_cast<int64_t>(pages * page)) != base) return 31;
    if (int rc = touch(base, pages); rc != 0) return 40 + rc;
    printf("memtouch: %lu heap pages and 64 stack pages, all zero when new\n", pages);
    return 0;
}
