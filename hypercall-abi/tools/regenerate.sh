#!/bin/sh
# Regenerates the checked-in ABI headers after editing hypercalls.toml.
set -e
here=$(dirname "$0")/..
python3 "$here/tools/gen_hypercalls.py" numbers "$here/hypercalls.toml" "$here/include/pvisor/hypercall_numbers.h"
python3 "$here/tools/gen_hypercalls.py" stubs "$here/hypercalls.toml" "$here/include/pvisor/hypercall_stubs.h"
