// The second demo program: counts the primes below its argument with a
// sieve and exits with the count.
#include "pvk_user/syscall.h"

using namespace pvk_user;

namespace {

constexpr uint64_t max_limit = 65536;
constinit bool g_composite[max_limit] = {};

}  // namespace

int user_main(uint64_t limit) {
    if (limit > max_limit) limit = max_limit;
    uint64_t count = 0;
    for (uint64_t i = 2; i < limit; ++i) {
        if (g_composite[i]) continue;
        ++count;
        for (uint64_t j = i * i; j < limit; j += i) g_composite[j] = true;
    }
    printf("primes: %lu primes below %lu\n", count, limit);
    return static_cast<int>(count);
}
