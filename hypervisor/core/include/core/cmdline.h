// The hypervisor command line, as the boot loader passes it:
// "[image-path] key=value key ...". Options are one table (cmdline.cpp), so
// adding one is one line there plus a field here.
#pragma once

#include "core/diagnostics.h"
#include "core/log.h"
#include "kstd/span.h"
#include "kstd/string.h"

namespace core {

// crash=: fault on purpose once booted, so tests can prove the crash path.
// write_text and exec_data prove W^X: writing the hypervisor's own code and
// executing its data must both fault.
enum class CrashKind { none, ud, pf, gp, de, panic, assert_fail, double_fault, write_text, exec_data };

// The spelling crash= takes for this kind ("df" for double_fault).
const char* crash_kind_name(CrashKind kind);

struct HvOptions {
    LogLevel log_level = LogLevel::info;
    CrashKind crash = CrashKind::none;
};

// One "key=value" or bare "key" token.
struct CmdlineToken {
    kstd::string_view key;
    kstd::string_view value;
    bool has_value;
};

struct CmdlineOption {
    const char* name;
    void (*apply)(const CmdlineToken& token, HvOptions* options, Diagnostics* diags);
    const char* help;
};

// Parses the line from the defaults up; a later option overrides an earlier
// one. Unknown keys and bad values leave the option unchanged and add a
// message to diags. A first token that looks like a path (has a '/' and no
// '=') is the image name some loaders prepend, and is skipped.
HvOptions parse_cmdline(kstd::string_view line, Diagnostics* diags);

// Every option, for a help listing.
kstd::span<const CmdlineOption> cmdline_options();

}  // namespace core
