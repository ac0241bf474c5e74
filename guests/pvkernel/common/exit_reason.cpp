#include "pvk/fault.h"
#include "pvk/user_context.h"

namespace pvk {

ExitReason exit_reason_of(const UserContext& ctx) {
    ExitReason r{};
    r.kind = (ctx.exit_flags & TF_SYSCALL) != 0 ? ExitReason::Kind::syscall : ExitReason::Kind::exception;
    r.vector = ctx.exit_vector;
    r.has_error_code = (ctx.exit_flags & TF_HAS_ERROR_CODE) != 0;
    r.error_code = ctx.exit_error_code;
    if (r.kind == ExitReason::Kind::exception && r.vector == vec_pf) r.fault_address = platform::last_fault_address();
    return r;
}

}  // namespace pvk
