// Brings a domain that build_domain made under the frame table's rules:
// its frames become its own in the frame table (the shared page as a
// special frame), and its initial page tables are validated and pinned.
//
// The builder maps the page-table pages read-only in the physmap, which
// validation accepts (a read-only mapping of a table holds no writable
// type reference). Once a
// domain is adopted, its memory is given back with release_domain
// (memory_op.h), not unbuild_domain: frames may have come and gone.
#pragma once

#include "core/domain.h"
#include "core/mm.h"
#include "core/vcpu.h"
#include "kstd/result.h"

namespace core {

// md is d's memory-management state: md.id must equal d.id, md.max_pages
// is d's limit and md.tot_pages its count so far (0 for a new domain).
// Assigns every frame in d's frame list and d's shared page to d, pins
// v0's kernel and user roots as L4 tables, and takes v0's root references.
//   Error::inval: md.id differs, or v0 has no kernel root.
//   Error::nomem: d.nr_pages is over md's maximum.
//   Error::exist / Error::perm: a frame is owned already / is not in the
//   frame table.  Otherwise what validating the roots gives.
// On error nothing has changed.
[[nodiscard]] kstd::Result<void> adopt_built_domain(MmContext& ctx, MmDomain& md, const Domain& d, Vcpu& v0);

}  // namespace core
