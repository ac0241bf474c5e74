// console_io: domains write lines to the hypervisor console; dom0 reads
// its input.
#include <pvisor/console.h>

#include "core/hypercall.h"

namespace core {
namespace {

using kstd::Error;

// One bounce buffer: hypercalls run with interrupts off on one CPU, so it
// is never shared by two calls at once. Per-CPU once there are more CPUs.
char g_console_buf[PV_CONSOLEIO_MAX];

void flush_line(HypercallContext& ctx) {
    Domain& d = ctx.domain;
    d.console_line[d.console_len] = '\0';
    ctx.hooks.console_line(d, d.console_line);
    d.console_len = 0;
}

// Appends guest text to the domain's line buffer. Control characters other
// than tab become '?', so a guest cannot move the cursor or inject escape
// sequences into the hypervisor's console.
void append(HypercallContext& ctx, const char* text, size_t len) {
    Domain& d = ctx.domain;
    for (size_t i = 0; i < len; ++i) {
        char c = text[i];
        if (c == '\n') {
            flush_line(ctx);
            continue;
        }
        if (c == '\r') continue;
        auto uc = static_cast<unsigned char>(c);
        if ((uc < 0x20 && c != '\t') || uc == 0x7f) c = '?';
        // A full buffer is flushed only when more text follows, so that a
        // line of exactly the buffer's width is not followed by an empty one.
        if (d.console_len == Domain::console_line_size - 1) flush_line(ctx);
        d.console_line[d.console_len++] = c;
    }
}

}  // namespace

HypercallResult hc_console_io(HypercallContext& ctx, uint64_t cmd, uint64_t count, uint64_t buffer) {
    // Decode.
    if (cmd != PV_CONSOLEIO_write && cmd != PV_CONSOLEIO_read) return hc_error(Error::nosys);
    if (count > PV_CONSOLEIO_MAX) return hc_error(Error::too_big);
    if (count == 0) return 0;
    if (!guest_range_ok(buffer, count)) return hc_error(Error::fault);
    if (cmd == PV_CONSOLEIO_read && !ctx.domain.privileged) return hc_error(Error::perm);

    // Invoke.
    if (cmd == PV_CONSOLEIO_write) {
        // Copy all of it first: a fault part-way prints nothing.
        if (ctx.mem.copy_from(g_console_buf, Gva(buffer), count).is_error()) return hc_error(Error::fault);
        append(ctx, g_console_buf, count);
        return static_cast<HypercallResult>(count);
    }
    size_t n = ctx.hooks.console_read(g_console_buf, count);
    if (n > 0 && ctx.mem.copy_to(Gva(buffer), g_console_buf, n).is_error()) return hc_error(Error::fault);
    return static_cast<HypercallResult>(n);
}

}  // namespace core
