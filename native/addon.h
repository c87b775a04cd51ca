/* vipd's native addon: the fast HTTP status probe and TCP keepalive tuning (see addon.c). */
#ifndef VIPD_ADDON_H
#define VIPD_ADDON_H
#include <node_api.h>

/* http-probe.c */
int probe_attach(napi_env env);
napi_value js_probe_init(napi_env env, napi_callback_info info);
napi_value js_probe_start(napi_env env, napi_callback_info info);
napi_value js_probe_cancel(napi_env env, napi_callback_info info);
napi_value js_probe_budget(napi_env env, napi_callback_info info);

/* descriptor-budget.c */
int32_t descriptor_budget(void);

/* keepalive.c */
napi_value js_set_keepalive(napi_env env, napi_callback_info info);

/* tcp-md5.c */
napi_value js_tcp_socket(napi_env env, napi_callback_info info);
napi_value js_tcp_md5_key(napi_env env, napi_callback_info info);
napi_value js_tcp_connect(napi_env env, napi_callback_info info);
napi_value js_tcp_release(napi_env env, napi_callback_info info);
#define TCP_MD5_PROPS \
  { "tcpSocket", NULL, js_tcp_socket, NULL, NULL, NULL, napi_default, NULL }, \
  { "tcpMd5Key", NULL, js_tcp_md5_key, NULL, NULL, NULL, napi_default, NULL }, \
  { "tcpConnect", NULL, js_tcp_connect, NULL, NULL, NULL, napi_default, NULL }, \
  { "tcpRelease", NULL, js_tcp_release, NULL, NULL, NULL, napi_default, NULL },
/* datapath.c: checks through the data path (issue 16 §3) */
napi_value js_dp_start(napi_env env, napi_callback_info info);
napi_value js_dp_stop(napi_env env, napi_callback_info info);
#define DATAPATH_PROPS \
  { "dpStart", NULL, js_dp_start, NULL, NULL, NULL, napi_default, NULL }, \
  { "dpStop", NULL, js_dp_stop, NULL, NULL, NULL, napi_default, NULL },
/* bfd-napi.c: BFD on its own thread (bfd.h) */
int bfd_attach(napi_env env, napi_value exports);

/* reexec.c: `vipd run` starting again under its heap flags */
napi_value js_reexec(napi_env env, napi_callback_info info);

/* malloc-tune.c: large blocks mapped on their own, returned when freed */
napi_value js_malloc_mmap_threshold(napi_env env, napi_callback_info info);
napi_value js_malloc_trim(napi_env env, napi_callback_info info);

/* addon.c */
napi_value js_int(napi_env env, int32_t v);
napi_value throw_type(napi_env env, const char *msg);
#endif
