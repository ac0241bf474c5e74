#include "pvk/cmdline.h"

#include <kstd/string.h>

#include "pvk/boot_info.h"

namespace pvk {
namespace {

// The value of the first word `key` or `key=value`: an empty view for a
// bare key; nullopt-like (data() == nullptr) if the key is absent.
kstd::string_view find(const char* key) {
    kstd::string_view k(key);
    const char* p = boot_info().cmdline;
    while (*p != '\0') {
        while (*p == ' ') ++p;
        const char* word = p;
        while (*p != '\0' && *p != ' ') ++p;
        kstd::string_view w(word, static_cast<size_t>(p - word));
        if (w == k) return kstd::string_view(p, 0);
        if (w.size() > k.size() && w.starts_with(k) && w[k.size()] == '=') return w.substr(k.size() + 1);
    }
    return kstd::string_view(nullptr, 0);
}

}  // namespace

bool cmdline_has(const char* key) { return find(key).data() != nullptr; }

bool cmdline_is(const char* key, const char* value) {
    kstd::string_view v = find(key);
    return v.data() != nullptr && v == kstd::string_view(value);
}

uint64_t cmdline_u64(const char* key, uint64_t fallback) {
    kstd::string_view v = find(key);
    if (v.data() == nullptr || v.empty()) return fallback;
    uint64_t n = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9') return fallback;
        if (__builtin_mul_overflow(n, 10u, &n) || __builtin_add_overflow(n, static_cast<uint64_t>(v[i] - '0'), &n))
            return fallback;
    }
    return n;
}

}  // namespace pvk
