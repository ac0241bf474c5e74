// libFuzzer target for parse_module_string, which reads the boot loader's
// module strings. The input, cut at its first NUL (the string comes from a
// C string), is parsed and compared with a plain reference parser written
// from SPEC.md section 4 ("Boot modules"): the same name, sizes, command
// line and number of complaints.
#include <stddef.h>
#include <stdint.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/domain_config.h"

namespace {

void check(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
}

bool blank(char c) { return c == ' ' || c == '\t'; }

// Decimal with an optional K/M/G suffix (either case), fitting 64 bits.
// The parser's overflow check is conservative: it also refuses the top
// few values that would fit, so those are "don't know" here.
enum class Size { ok, bad, unsure };
Size reference_size(const std::string& v, uint64_t* out) {
    size_t i = 0;
    unsigned __int128 n = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
        n = n * 10 + static_cast<unsigned>(v[i] - '0');
        if (n > ~uint64_t{0}) return Size::bad;
        ++i;
    }
    if (i == 0) return Size::bad;
    unsigned shift = 0;
    if (i < v.size()) {
        char s = v[i++];
        if (s == 'K' || s == 'k') shift = 10;
        else if (s == 'M' || s == 'm') shift = 20;
        else if (s == 'G' || s == 'g') shift = 30;
        else return Size::bad;
    }
    if (i != v.size()) return Size::bad;
    if (n > ~uint64_t{0} - 9) return Size::unsure;
    n <<= shift;
    if (n > ~uint64_t{0}) return Size::bad;
    *out = static_cast<uint64_t>(n);
    return Size::ok;
}

struct Reference {
    std::string name;
    uint64_t mem = 16ull << 20, user = 1ull << 20;
    std::string cmdline;
    size_t complaints = 0;
    bool unsure = false;
};

Reference reference(const std::string& s, uint32_t index) {
    Reference r;
    r.name = index == 0 ? "dom0" : "dom" + std::to_string(index);
    size_t i = 0;
    while (i < s.size() && blank(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !blank(s[i])) ++i;
    if (s.substr(start, i - start).find('=') != std::string::npos) i = start;  // no path
    while (i < s.size() && blank(s[i])) ++i;
    r.cmdline = s.substr(i);
    while (i < s.size()) {
        size_t b = i;
        while (i < s.size() && !blank(s[i])) ++i;
        std::string word = s.substr(b, i - b);
        while (i < s.size() && blank(s[i])) ++i;
        size_t eq = word.find('=');
        if (eq == std::string::npos) continue;
        std::string key = word.substr(0, eq), value = word.substr(eq + 1);
        if (key == "name") {
            if (value.empty() || value.size() > 31) ++r.complaints;
            else r.name = value;
        } else if (key == "mem" || key == "user") {
            uint64_t bytes = 0;
            Size k = reference_size(value, &bytes);
            if (k == Size::unsure) {
                r.unsure = true;
            } else if (k == Size::bad || bytes < (key == "mem" ? (1ull << 20) : 4096ull)) {
                ++r.complaints;
            } else {
                (key == "mem" ? r.mem : r.user) = bytes;
            }
        }
    }
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    uint32_t index = data[0] % 4;
    std::string s(reinterpret_cast<const char*>(data + 1), size - 1);
    s = s.substr(0, s.find('\0'));

    // Exactly the string's bytes, so that ASan sees any read beyond them.
    char* copy = static_cast<char*>(std::malloc(s.size() + 1));
    std::memcpy(copy, s.data(), s.size());
    core::DomainBootConfig cfg;
    core::Diagnostics diags;
    core::parse_module_string(kstd::string_view(copy, s.size()), index, &cfg, &diags);

    check(std::memchr(cfg.name, '\0', sizeof cfg.name) != nullptr, "name not terminated");
    check(cfg.name[0] != '\0', "empty name");
    check(cfg.mem_bytes >= (1u << 20) && cfg.user_bytes >= 4096, "size below the minimum");
    check(cfg.cmdline.data() >= copy && cfg.cmdline.data() + cfg.cmdline.size() <= copy + s.size(),
          "command line outside the string");
    check(diags.count() <= core::Diagnostics::capacity, "diagnostics overflow");
    for (size_t i = 0; i < diags.count(); ++i)
        check(std::memchr(diags[i], '\0', core::Diagnostics::message_size) != nullptr, "message not terminated");

    Reference want = reference(s, index);
    check(want.name == cfg.name, "name differs from the reference");
    check(want.cmdline == std::string(cfg.cmdline.data(), cfg.cmdline.size()), "command line differs");
    if (!want.unsure) {
        check(want.mem == cfg.mem_bytes, "mem differs from the reference");
        check(want.user == cfg.user_bytes, "user differs from the reference");
        check(want.complaints == diags.count() + diags.dropped(), "complaints differ from the reference");
    }
    std::free(copy);
    return 0;
}
