/*
 * vipd's native addon, loaded by src/health/monitors/native-addon.ts. Two things Node's public
 * API cannot do well enough: a per-connection HTTP status check cheap enough for tens of
 * thousands of checks per second (http-probe.c), and the TCP keepalive interval and probe count
 * of a socket (keepalive.c). vipd runs without it, at a lower check rate and kernel keepalive
 * defaults. tcp-md5.c: TCP-MD5 and GTSM sockets for BGP (Node cannot set them before connect).
 * datapath.c: health checks sent as client traffic reaches a realserver (raw/packet sockets).
 * reexec.c: execv(2), for `vipd run` to start again in place under bounded heaps.
 * malloc-tune.c: glibc's mmap threshold fixed and its arenas trimmed, so freed memory goes back.
 */
#include "addon.h"

napi_value js_int(napi_env env, int32_t v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

NAPI_MODULE_INIT() {
  if (probe_attach(env) != 0) return NULL;
  napi_property_descriptor props[] = {
    { "init", NULL, js_probe_init, NULL, NULL, NULL, napi_default, NULL },
    { "start", NULL, js_probe_start, NULL, NULL, NULL, napi_default, NULL },
    { "cancel", NULL, js_probe_cancel, NULL, NULL, NULL, napi_default, NULL },
    { "probeBudget", NULL, js_probe_budget, NULL, NULL, NULL, napi_default, NULL },
    { "setKeepalive", NULL, js_set_keepalive, NULL, NULL, NULL, napi_default, NULL },
    { "reexec", NULL, js_reexec, NULL, NULL, NULL, napi_default, NULL },
    { "mallocMmapThreshold", NULL, js_malloc_mmap_threshold, NULL, NULL, NULL, napi_default, NULL },
    { "mallocTrim", NULL, js_malloc_trim, NULL, NULL, NULL, napi_default, NULL },
    TCP_MD5_PROPS
    DATAPATH_PROPS
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  if (bfd_attach(env, exports) != 0) return NULL;
  return exports;
}
