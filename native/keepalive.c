/*
 * setKeepalive(fd, idleS, intervalS, count) -> 0 or a negative errno: SO_KEEPALIVE plus the
 * three Linux knobs (tcp(7)). Node's socket.setKeepAlive sets only the idle time, so without
 * this the interval and count are the kernel's defaults (75 s, 9 probes: 11 minutes to notice a
 * silently dead peer).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "addon.h"

napi_value js_set_keepalive(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t v[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4) return throw_type(env, "setKeepalive(fd, idleS, intervalS, count)");
  for (int i = 0; i < 4; i++) {
    if (napi_get_value_int32(env, argv[i], &v[i]) != napi_ok || v[i] < (i == 0 ? 0 : 1)) {
      return throw_type(env, "setKeepalive(fd, idleS, intervalS, count): non-negative fd, positive numbers");
    }
  }
  int on = 1;
  if (setsockopt(v[0], SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0 ||
      setsockopt(v[0], IPPROTO_TCP, TCP_KEEPIDLE, &v[1], sizeof v[1]) != 0 ||
      setsockopt(v[0], IPPROTO_TCP, TCP_KEEPINTVL, &v[2], sizeof v[2]) != 0 ||
      setsockopt(v[0], IPPROTO_TCP, TCP_KEEPCNT, &v[3], sizeof v[3]) != 0) {
    return js_int(env, -errno);
  }
  return js_int(env, 0);
}
