#include "core/mm_services.h"

namespace core {

namespace detail {
constinit MmServices* g_mm_services = nullptr;
constinit MmLock g_mm_lock;
}  // namespace detail

MmServices* mm_set_services(MmServices* s) {
    MmServices* old = detail::g_mm_services;
    detail::g_mm_services = s;
    return old;
}

}  // namespace core
