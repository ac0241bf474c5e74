// The kernel command line: space-separated words, `key` or `key=value`.
#pragma once

#include <stdint.h>

namespace pvk {

bool cmdline_has(const char* key);
// The value of key=N (decimal), or fallback if absent or malformed.
uint64_t cmdline_u64(const char* key, uint64_t fallback);
// True if the command line has `key=value` (value "" matches a bare key).
bool cmdline_is(const char* key, const char* value);

}  // namespace pvk
