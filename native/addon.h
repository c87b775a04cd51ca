/* vipd's native addon: the fast HTTP status probe and TCP keepalive tuning (see addon.c). */
#ifndef VIPD_ADDON_H
#define VIPD_ADDON_H
#include <node_api.h>

/* http-probe.c */
int probe_attach(napi_env env);
napi_value js_probe_init(napi_env env, napi_callback_info info);
napi_value js_probe_start(napi_env env, napi_callback_info info);
napi_value js_probe_cancel(napi_env env, napi_callback_info info);

/* keepalive.c */
napi_value js_set_keepalive(napi_env env, napi_callback_info info);

/* bfd-napi.c: BFD on its own thread (bfd.h) */
int bfd_attach(napi_env env, napi_value exports);

/* addon.c */
napi_value js_int(napi_env env, int32_t v);
napi_value throw_type(napi_env env, const char *msg);
#endif
