/*
 * BFD's JS functions (src/bfd/native.ts declares them):
 *   bfdInit(onChange(id, state, diag, remoteState)) -> 0 | -errno   starts the thread once
 *   bfdAdd(id, peer, local|'', txUs, rxUs, mult) -> 0 | -errno      local '' = the wildcard
 *   bfdRemove(id), bfdAdminDown(id) -> 0 | -errno
 *   bfdStatus(id) -> { state, remoteState, diag, remoteDiag, localDisc, remoteDisc, txUs, detectUs,
 *                      txCount, rxCount, upCount, downCount } | null
 *   bfdTakeLateness(id) -> Int32Array   us each periodic packet went out after its time, since the last call
 *   bfdCounters() -> { badTtl, invalid, noSession, rxSockets, realtime (1: the thread runs SCHED_FIFO) }
 *   bfdEncode(fields) -> Buffer, bfdDecode(buffer) -> fields | negative reason: the C codec, for tests
 * State values are RFC 5880's: 0 AdminDown, 1 Down, 2 Init, 3 Up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "addon.h"
#include "bfd.h"

typedef struct { int32_t id, state, diag, remote_state; } event_t;
static napi_threadsafe_function tsfn;
static int have_tsfn;

static void call_js(napi_env env, napi_value cb, void *ctx, void *data) {
  (void)ctx;
  event_t *e = data;
  if (env && cb) {
    napi_value undef, argv[4];
    napi_get_undefined(env, &undef);
    argv[0] = js_int(env, e->id); argv[1] = js_int(env, e->state);
    argv[2] = js_int(env, e->diag); argv[3] = js_int(env, e->remote_state);
    napi_call_function(env, undef, cb, 4, argv, NULL);
  }
  free(e);
}

static void notify(int32_t id, int state, int diag, int remote_state) {
  event_t *e = malloc(sizeof *e);
  if (!e) return;
  *e = (event_t){ id, state, diag, remote_state };
  if (napi_call_threadsafe_function(tsfn, e, napi_tsfn_nonblocking) != napi_ok) free(e);
}

static void cleanup(void *arg) {
  (void)arg;
  bfd_thread_stop(); /* joined: no notify after this */
  if (have_tsfn) { napi_release_threadsafe_function(tsfn, napi_tsfn_abort); have_tsfn = 0; }
}

static int args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc >= want;
}

static int32_t int_arg(napi_env env, napi_value v, int32_t dflt) {
  int32_t out;
  return napi_get_value_int32(env, v, &out) == napi_ok ? out : dflt;
}

static napi_value js_init(napi_env env, napi_callback_info info) {
  napi_value argv[1], name;
  if (!args(env, info, 1, argv)) return throw_type(env, "bfdInit(onChange)");
  if (!have_tsfn) {
    napi_create_string_utf8(env, "vipd-bfd", NAPI_AUTO_LENGTH, &name);
    if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &tsfn) != napi_ok)
      return throw_type(env, "bfdInit: onChange must be a function");
    napi_unref_threadsafe_function(env, tsfn); /* BFD alone does not keep the process running */
    have_tsfn = 1;
    napi_add_env_cleanup_hook(env, cleanup, NULL);
  }
  return js_int(env, bfd_thread_start(notify));
}

/* An address string into a sockaddr (port 0); '' = the wildcard of `family` (0 = unknown). */
static int parse_addr(napi_env env, napi_value v, int family, struct sockaddr_storage *out) {
  char s[64];
  size_t n;
  memset(out, 0, sizeof *out);
  if (napi_get_value_string_utf8(env, v, s, sizeof s, &n) != napi_ok) return -EINVAL;
  if (n == 0) { out->ss_family = (sa_family_t)family; return 0; }
  if (inet_pton(AF_INET, s, &((struct sockaddr_in *)out)->sin_addr) == 1) out->ss_family = AF_INET;
  else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)out)->sin6_addr) == 1) out->ss_family = AF_INET6;
  else return -EINVAL;
  return family && out->ss_family != family ? -EAFNOSUPPORT : 1;
}

static napi_value js_add(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, 6, argv)) return throw_type(env, "bfdAdd(id, peer, local, txUs, rxUs, mult)");
  struct sockaddr_storage peer, local;
  if (parse_addr(env, argv[1], 0, &peer) != 1) return js_int(env, -EINVAL);
  int has_local = parse_addr(env, argv[2], peer.ss_family, &local);
  if (has_local < 0) return js_int(env, has_local);
  int32_t tx = int_arg(env, argv[3], 0), rx = int_arg(env, argv[4], 0), mult = int_arg(env, argv[5], 0);
  if (tx <= 0 || rx <= 0 || mult < 1 || mult > 255) return js_int(env, -EINVAL);
  return js_int(env, bfd_add(int_arg(env, argv[0], -1), &peer, &local, has_local, (uint32_t)tx, (uint32_t)rx, (uint8_t)mult));
}

static napi_value js_remove(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return throw_type(env, "bfdRemove(id)");
  return js_int(env, bfd_remove(int_arg(env, argv[0], -1)));
}

static napi_value js_admin_down(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args(env, info, 1, argv)) return throw_type(env, "bfdAdminDown(id)");
  return js_int(env, bfd_admin_down(int_arg(env, argv[0], -1)));
}

static void set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  napi_create_double(env, v, &n);
  napi_set_named_property(env, obj, key, n);
}

static napi_value js_status(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args(env, info, 1, argv)) return throw_type(env, "bfdStatus(id)");
  bfd_sess_t s;
  if (bfd_snapshot(int_arg(env, argv[0], -1), &s, NULL, NULL) != 0) { napi_get_null(env, &out); return out; }
  napi_create_object(env, &out);
  set_num(env, out, "state", s.state); set_num(env, out, "remoteState", s.remote_state);
  set_num(env, out, "diag", s.local_diag); set_num(env, out, "remoteDiag", s.remote_diag);
  set_num(env, out, "localDisc", s.local_disc); set_num(env, out, "remoteDisc", s.remote_disc);
  set_num(env, out, "txUs", bfd_sess_tx_interval(&s)); set_num(env, out, "detectUs", (double)bfd_sess_detect_us(&s));
  set_num(env, out, "txCount", (double)s.tx_count); set_num(env, out, "rxCount", (double)s.rx_count);
  set_num(env, out, "upCount", (double)s.up_count); set_num(env, out, "downCount", (double)s.down_count);
  return out;
}

static napi_value js_take_lateness(napi_env env, napi_callback_info info) {
  napi_value argv[1], ab, out;
  if (!args(env, info, 1, argv)) return throw_type(env, "bfdTakeLateness(id)");
  static bfd_sess_t s;
  static int32_t late[BFD_LATE_LOG];
  uint32_t n = 0;
  bfd_snapshot(int_arg(env, argv[0], -1), &s, late, &n);
  void *data;
  napi_create_arraybuffer(env, n * sizeof(int32_t), &data, &ab);
  if (n) memcpy(data, late, n * sizeof(int32_t));
  napi_create_typedarray(env, napi_int32_array, n, ab, 0, &out);
  return out;
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  (void)info;
  bfd_counters_t c = bfd_counters();
  napi_value out;
  napi_create_object(env, &out);
  set_num(env, out, "badTtl", (double)c.bad_ttl); set_num(env, out, "invalid", (double)c.invalid);
  set_num(env, out, "noSession", (double)c.no_session); set_num(env, out, "rxSockets", (double)c.rx_sockets);
  set_num(env, out, "realtime", (double)c.realtime);
  return out;
}

napi_value bfd_js_codec(napi_env env, napi_callback_info info, int encode);
static napi_value js_encode(napi_env env, napi_callback_info info) { return bfd_js_codec(env, info, 1); }
static napi_value js_decode(napi_env env, napi_callback_info info) { return bfd_js_codec(env, info, 0); }

int bfd_attach(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "bfdInit", NULL, js_init, NULL, NULL, NULL, napi_default, NULL },
    { "bfdAdd", NULL, js_add, NULL, NULL, NULL, napi_default, NULL },
    { "bfdRemove", NULL, js_remove, NULL, NULL, NULL, napi_default, NULL },
    { "bfdAdminDown", NULL, js_admin_down, NULL, NULL, NULL, napi_default, NULL },
    { "bfdStatus", NULL, js_status, NULL, NULL, NULL, napi_default, NULL },
    { "bfdTakeLateness", NULL, js_take_lateness, NULL, NULL, NULL, napi_default, NULL },
    { "bfdCounters", NULL, js_counters, NULL, NULL, NULL, napi_default, NULL },
    { "bfdEncode", NULL, js_encode, NULL, NULL, NULL, napi_default, NULL },
    { "bfdDecode", NULL, js_decode, NULL, NULL, NULL, napi_default, NULL },
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props) == napi_ok ? 0 : -1;
}
