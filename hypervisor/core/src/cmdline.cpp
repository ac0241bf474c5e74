#include "core/cmdline.h"

#include "kstd/format.h"
#include "kstd/utility.h"

namespace core {
namespace {

template <typename E>
struct Choice {
    const char* name;
    E value;
};

constexpr Choice<LogLevel> log_levels[] = {
    {"error", LogLevel::error},
    {"warn", LogLevel::warn},
    {"info", LogLevel::info},
    {"debug", LogLevel::debug},
};

constexpr Choice<CrashKind> crash_kinds[] = {
    {"none", CrashKind::none},
    {"ud", CrashKind::ud},
    {"pf", CrashKind::pf},
    {"gp", CrashKind::gp},
    {"de", CrashKind::de},
    {"panic", CrashKind::panic},
    {"assert", CrashKind::assert_fail},
    {"df", CrashKind::double_fault},
    {"write-text", CrashKind::write_text},
    {"exec-data", CrashKind::exec_data},
};

// Echoed tokens are cut so that the rest of a diagnostic still fits.
constexpr int echo_max = 32;

int echo_len(kstd::string_view s) { return static_cast<int>(kstd::min<size_t>(s.size(), echo_max)); }

// Sets *out from the token's value if it names one of the choices;
// otherwise reports what was expected and leaves *out alone.
template <typename E, size_t N>
void pick(const CmdlineToken& t, const Choice<E> (&choices)[N], E* out, Diagnostics* diags) {
    if (t.has_value) {
        for (const Choice<E>& c : choices) {
            if (t.value == kstd::string_view(c.name)) {
                *out = c.value;
                return;
            }
        }
    }
    char expected[64] = "";
    size_t len = 0;
    for (const Choice<E>& c : choices)
        if (len < sizeof expected)
            len += kstd::format(expected + len, sizeof expected - len, "%s%s", len == 0 ? "" : "|", c.name);
    if (!t.has_value || t.value.empty())
        diags->add("%.*s: missing value (expected %s)", echo_len(t.key), t.key.data(), expected);
    else
        diags->add("%.*s: bad value '%.*s' (expected %s)", echo_len(t.key), t.key.data(), echo_len(t.value),
                   t.value.data(), expected);
}

constexpr CmdlineOption options[] = {
    {"loglevel",
     [](const CmdlineToken& t, HvOptions* o, Diagnostics* d) { pick(t, log_levels, &o->log_level, d); },
     "error|warn|info|debug: the most verbose messages to print (default info)"},
    {"crash",
     [](const CmdlineToken& t, HvOptions* o, Diagnostics* d) { pick(t, crash_kinds, &o->crash, d); },
     "none|ud|pf|gp|de|panic|assert|df: fault on purpose after boot, to test the crash path"},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

CmdlineToken split_token(kstd::string_view word) {
    size_t eq = word.find('=');
    if (eq == word.size()) return {word, {}, false};
    return {word.substr(0, eq), word.substr(eq + 1), true};
}

void apply(const CmdlineToken& t, HvOptions* opts, Diagnostics* diags) {
    if (t.key.empty()) {
        diags->add("option with an empty name ignored");
        return;
    }
    for (const CmdlineOption& o : options) {
        if (t.key == kstd::string_view(o.name)) {
            o.apply(t, opts, diags);
            return;
        }
    }
    diags->add("unknown option '%.*s' ignored", echo_len(t.key), t.key.data());
}

}  // namespace

const char* crash_kind_name(CrashKind kind) {
    for (const Choice<CrashKind>& c : crash_kinds)
        if (c.value == kind) return c.name;
    return "?";
}

HvOptions parse_cmdline(kstd::string_view line, Diagnostics* diags) {
    HvOptions opts;
    bool first = true;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        size_t start = i;
        while (i < line.size() && !is_space(line[i])) ++i;
        if (i == start) break;
        kstd::string_view word = line.substr(start, i - start);
        bool is_path = first && word.find('/') != word.size() && word.find('=') == word.size();
        first = false;
        if (!is_path) apply(split_token(word), &opts, diags);
    }
    return opts;
}

kstd::span<const CmdlineOption> cmdline_options() { return kstd::span<const CmdlineOption>(options); }

}  // namespace core
