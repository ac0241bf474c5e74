#include "core/mm_services.h"

namespace core {
namespace {

constinit MmServices* g_services = nullptr;
constinit MmLock g_lock;

}  // namespace

MmServices* mm_set_services(MmServices* s) {
    MmServices* old = g_services;
    g_services = s;
    return old;
}

bool mm_available() { return g_services != nullptr; }

namespace detail {
MmLock& mm_lock() { return g_lock; }
MmServices& mm_services_unlocked() { return *g_services; }
}  // namespace detail

}  // namespace core
