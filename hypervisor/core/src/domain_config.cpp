#include "core/domain_config.h"

#include "kstd/format.h"

namespace core {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

bool parse_size(kstd::string_view v, uint64_t* out) {
    if (v.empty()) return false;
    uint64_t n = 0;
    size_t i = 0;
    for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
        if (n > (UINT64_MAX - 9) / 10) return false;
        n = n * 10 + static_cast<uint64_t>(v[i] - '0');
    }
    if (i == 0) return false;
    unsigned shift = 0;
    if (i < v.size()) {
        char s = v[i++];
        if (s == 'K' || s == 'k') shift = 10;
        else if (s == 'M' || s == 'm') shift = 20;
        else if (s == 'G' || s == 'g') shift = 30;
        else return false;
    }
    if (i != v.size() || (shift != 0 && n > (UINT64_MAX >> shift))) return false;
    *out = n << shift;
    return true;
}

}  // namespace

void parse_module_string(kstd::string_view s, uint32_t index, DomainBootConfig* out, Diagnostics* diags) {
    *out = DomainBootConfig{};
    kstd::format(out->name, sizeof out->name, index == 0 ? "dom0" : "dom%u", index);
    size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    // The first word is the module's path unless it is an option.
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (s.substr(start, i - start).find('=') != i - start) i = start;
    while (i < s.size() && is_space(s[i])) ++i;
    out->cmdline = s.substr(i);

    while (i < s.size()) {
        size_t b = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        kstd::string_view word = s.substr(b, i - b);
        while (i < s.size() && is_space(s[i])) ++i;
        size_t eq = word.find('=');
        if (eq == word.size()) continue;
        kstd::string_view key = word.substr(0, eq), value = word.substr(eq + 1);
        if (key == "name") {
            if (value.empty() || value.size() >= sizeof out->name) {
                diags->add("module %u: name must be 1-%zu characters", index, sizeof out->name - 1);
                continue;
            }
            kstd::format(out->name, sizeof out->name, "%.*s", static_cast<int>(value.size()), value.data());
        } else if (key == "weight" || key == "cap") {
            uint64_t n;
            bool weight = key == "weight";
            if (!parse_size(value, &n) || (weight ? (n == 0 || n > 65535) : n > 100)) {
                diags->add(weight ? "module %u: bad weight= value (expected 1-65535)"
                                  : "module %u: bad cap= value (expected 0-100)",
                           index);
                continue;
            }
            (weight ? out->weight : out->cap) = static_cast<uint32_t>(n);
        } else if (key == "evtchn_ports") {
            uint64_t n;
            if (!parse_size(value, &n) || n < 2 || n > PV_EVTCHN_MAX_PORTS) {
                diags->add("module %u: bad evtchn_ports= value (expected 2-%u)", index, PV_EVTCHN_MAX_PORTS);
                continue;
            }
            out->evtchn_ports = static_cast<uint32_t>(n);
        } else if (key == "vcpus") {
            uint64_t n;
            if (!parse_size(value, &n) || n == 0 || n > 8) {
                diags->add("module %u: bad vcpus= value (expected 1-8)", index);
                continue;
            }
            out->vcpus = static_cast<uint32_t>(n);
        } else if (key == "mem" || key == "user") {
            uint64_t bytes;
            if (!parse_size(value, &bytes) || bytes < (key == "mem" ? (1ull << 20) : 4096ull)) {
                diags->add("module %u: bad %.*s= value '%.*s' (expected a size such as 16M)", index,
                           static_cast<int>(key.size()), key.data(), static_cast<int>(value.size() > 24 ? 24 : value.size()),
                           value.data());
                continue;
            }
            (key == "mem" ? out->mem_bytes : out->user_bytes) = bytes;
        }
        // Other words are the guest's own options.
    }
}

}  // namespace core
