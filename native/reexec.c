/*
 * reexec(path, argv) -> a negative errno (it returns only when execv(2) fails): replaces this
 * process's image in place, same pid, so `vipd run` can start again under node flags it was not
 * given (src/cli/run/heap-flags.ts: bounded V8 heaps) without a wrapper process between systemd
 * (or a test's kill) and the daemon. Call it before the program opens anything: libuv opens every
 * descriptor close-on-exec. Node marks stdin/out/err close-on-exec too at its start
 * (uv_disable_stdio_inheritance), so they are unmarked here: passed on as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "addon.h"

#define REEXEC_MAX_ARGS 256
#define REEXEC_MAX_ARG 4096

static char *arg_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok || len >= REEXEC_MAX_ARG) return NULL;
  char *s = malloc(len + 1);
  if (s && napi_get_value_string_utf8(env, v, s, len + 1, &len) != napi_ok) { free(s); return NULL; }
  return s;
}

napi_value js_reexec(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value args[2];
  uint32_t n = 0;
  bool is_array = false;
  napi_get_cb_info(env, info, &argc, args, NULL, NULL);
  if (argc < 2 || napi_is_array(env, args[1], &is_array) != napi_ok || !is_array ||
      napi_get_array_length(env, args[1], &n) != napi_ok || n == 0 || n >= REEXEC_MAX_ARGS) {
    return throw_type(env, "reexec(path, argv): a path and 1 to 255 arguments");
  }
  char *path = arg_string(env, args[0]);
  char *argv[REEXEC_MAX_ARGS] = { NULL };
  int err = path ? 0 : EINVAL;
  for (uint32_t i = 0; i < n && !err; i++) {
    napi_value el;
    if (napi_get_element(env, args[1], i, &el) != napi_ok || !(argv[i] = arg_string(env, el))) err = EINVAL;
  }
  if (!err) {
    for (int fd = 0; fd <= 2; fd++) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    execv(path, argv);
    err = errno;
  }
  free(path);
  for (uint32_t i = 0; i < n; i++) free(argv[i]);
  return js_int(env, -err);
}
