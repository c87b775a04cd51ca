/*
 * mallocMmapThreshold(bytes) -> 0, or a negative errno (-ENOSYS: not glibc; -EINVAL: refused).
 *
 * glibc serves a block of at least M_MMAP_THRESHOLD bytes with a mapping of its own, returned to
 * the kernel on free. By default that threshold starts at 128 KB and rises to the size of the
 * largest such block freed (up to 32 MB): after the first /metrics body of 10,000 realservers
 * (~9 MB) was freed, every later body came from the thread's arena, and an arena keeps what was
 * freed in its middle. Setting the threshold fixes it (and stops the rise): at 10,000 realservers
 * vipd's resident memory fell by ~30 MB (docs/benchmarks.md, session 14).
 *
 * mallocTrim() -> malloc_trim(0): gives the arenas' free pages back (src/cli/run/malloc-tune.ts
 * calls it every 10 s).
 */
#include <errno.h>
#include "addon.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

napi_value js_malloc_mmap_threshold(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  int64_t bytes = -1;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1 || napi_get_value_int64(env, arg, &bytes) != napi_ok || bytes < 4096 || bytes > (32 << 20)) {
    return throw_type(env, "mallocMmapThreshold(bytes): 4096 to 33554432 bytes");
  }
#ifdef __GLIBC__
  return js_int(env, mallopt(M_MMAP_THRESHOLD, (int)bytes) == 1 ? 0 : -EINVAL);
#else
  return js_int(env, -ENOSYS);
#endif
}

/* mallocTrim() -> 1 when memory went back to the kernel, 0 when none, -ENOSYS without glibc. */
napi_value js_malloc_trim(napi_env env, napi_callback_info info) {
  (void)info;
#ifdef __GLIBC__
  return js_int(env, malloc_trim(0));
#else
  return js_int(env, -ENOSYS);
#endif
}
