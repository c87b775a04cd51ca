/*
 * The hot path of ProxyFetch for plain HTTP checks that only need the status code: connect,
 * write one prebuilt request, read the status line, then let the server close first and answer
 * its FIN with a reset (no TIME_WAIT on either side), all on Node's own libuv loop. Node's net.Socket costs about
 * 40 us of JavaScript per connection; this costs a few. Everything else (TLS, bodies, reasons,
 * status rules, timeouts) stays in TypeScript: src/health/monitors/fast-http-probe.ts.
 *
 * JS API (one instance per Node environment; see addon.c):
 *   init(onResult(slot, code, phase, head)) once; code = HTTP status (100..999) or a negative
 *                                   error; head = the first bytes (latin1) when they are malformed
 *   start(ip, port, request) -> slot >= 0, or a negative libuv error code (nothing started)
 *   cancel(slot) -> phase           the probe is dropped without a result
 *   probeBudget() -> n              probes open at most at once; start() beyond it is R_NO_BUDGET
 * phase: 0 = connecting, 1 = waiting for the status line.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>
#include "addon.h"

#define STATUS_BYTES 12
#define HEAD_BYTES 40 /* kept for the error message of a malformed status line */
#define DRAIN_MS 2000
#define READ_BUFFER 65536
#define MAX_REQUEST 8192
/* Result codes besides libuv's negative errors; mirrored in fast-http-probe.ts. */
#define R_CLOSED_EARLY (-100001)
#define R_BAD_STATUS_LINE (-100002)
#define R_BAD_STATUS_CODE (-100003)
#define R_NO_BUDGET (-100004)

typedef struct state state_t;

typedef struct probe {
  uv_tcp_t tcp;
  uv_connect_t connect_req;
  uv_write_t write_req;
  uv_timer_t drain;
  state_t *state;
  struct probe *prev, *next; /* every live probe, for teardown */
  int32_t slot;              /* -1 once the result is out (or cancelled) */
  int phase;
  int closing;
  int open_handles;
  size_t head_len;
  char head[HEAD_BYTES];
  size_t request_len;
  char request[];
} probe_t;

struct state {
  napi_env env;
  napi_ref on_result;
  napi_async_context async_context;
  uv_loop_t *loop;
  probe_t **slots;
  int32_t *free_slots;
  int32_t slot_count, free_count;
  int32_t open_count, budget; /* probes holding a socket; the most allowed (descriptor_budget) */
  probe_t *live;
  int tearing_down;
  char read_buffer[READ_BUFFER];
};

static int32_t take_slot(state_t *s, probe_t *p) {
  if (s->free_count == 0) {
    int32_t n = s->slot_count ? s->slot_count * 2 : 256;
    probe_t **slots = realloc(s->slots, sizeof(*slots) * (size_t)n);
    if (!slots) return -1;
    s->slots = slots;
    int32_t *free_slots = realloc(s->free_slots, sizeof(*free_slots) * (size_t)n);
    if (!free_slots) return -1;
    s->free_slots = free_slots;
    for (int32_t i = n - 1; i >= s->slot_count; i--) s->free_slots[s->free_count++] = i;
    s->slot_count = n;
  }
  int32_t slot = s->free_slots[--s->free_count];
  s->slots[slot] = p;
  return slot;
}

static void release_slot(probe_t *p) {
  state_t *s = p->state;
  s->slots[p->slot] = NULL;
  s->free_slots[s->free_count++] = p->slot;
  p->slot = -1;
}

static void on_handle_closed(uv_handle_t *h) {
  probe_t *p = h->data;
  if (--p->open_handles > 0) return;
  if (p->prev) p->prev->next = p->next; else p->state->live = p->next;
  if (p->next) p->next->prev = p->prev;
  p->state->open_count--;
  free(p);
}

static void close_probe(probe_t *p) {
  if (p->closing) return;
  p->closing = 1;
  uv_close((uv_handle_t *)&p->tcp, on_handle_closed);
  uv_close((uv_handle_t *)&p->drain, on_handle_closed);
}

/* Hands the result to JavaScript; the probe itself may live on to drain the response. */
static void report(probe_t *p, int32_t code) {
  if (p->slot < 0) return;
  state_t *s = p->state;
  int32_t slot = p->slot;
  int phase = p->phase;
  release_slot(p);
  if (s->tearing_down) return;
  napi_env env = s->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv, args[4], result;
  napi_get_reference_value(env, s->on_result, &fn);
  napi_get_global(env, &recv);
  napi_create_int32(env, slot, &args[0]);
  napi_create_int32(env, code, &args[1]);
  napi_create_int32(env, phase, &args[2]);
  if (code == R_BAD_STATUS_LINE || code == R_BAD_STATUS_CODE) napi_create_string_latin1(env, p->head, p->head_len, &args[3]);
  else napi_get_undefined(env, &args[3]);
  if (napi_make_callback(env, s->async_context, recv, fn, 4, args, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static void fail(probe_t *p, int32_t code) {
  report(p, code);
  close_probe(p);
}

/* RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] */
static int32_t parse_status(const char *b) {
  if (memcmp(b, "HTTP/", 5) != 0 || b[8] != ' ') return R_BAD_STATUS_LINE;
  int d0 = b[9] - '0', d1 = b[10] - '0', d2 = b[11] - '0';
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return R_BAD_STATUS_CODE;
  return d0 * 100 + d1 * 10 + d2;
}

static void on_drain_timeout(uv_timer_t *t) { close_probe(t->data); }

/*
 * The server closed first (its FIN came after the response, and everything before it was read):
 * answer with a reset instead of a FIN of our own (SO_LINGER 0, RFC 9293 §3.6.1's abort), so that
 * neither end keeps the connection (no LAST_ACK here, no TIME_WAIT on the realserver) and the
 * kernel exchanges two packets fewer per check.
 */
static void close_after_server(probe_t *p) {
  uv_os_fd_t fd;
  if (uv_fileno((uv_handle_t *)&p->tcp, &fd) == 0) {
    struct linger abort_on_close = { 1, 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  }
  close_probe(p);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  (void)suggested;
  probe_t *p = h->data;
  *buf = uv_buf_init(p->state->read_buffer, READ_BUFFER);
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf) {
  probe_t *p = stream->data;
  if (p->closing) return;
  if (nread == UV_EOF) {
    if (p->slot < 0) close_after_server(p); else fail(p, R_CLOSED_EARLY);
    return;
  }
  if (nread < 0) { fail(p, (int32_t)nread); return; }
  if (p->slot < 0 || nread == 0) return; /* draining the rest until the server closes */
  size_t take = HEAD_BYTES - p->head_len;
  if ((size_t)nread < take) take = (size_t)nread;
  memcpy(p->head + p->head_len, buf->base, take);
  p->head_len += take;
  if (p->head_len < STATUS_BYTES) return;
  int32_t code = parse_status(p->head);
  if (code < 0) { fail(p, code); return; }
  report(p, code);
  if (!p->closing) uv_timer_start(&p->drain, on_drain_timeout, DRAIN_MS, 0);
}

static void on_write(uv_write_t *req, int status) {
  probe_t *p = req->data;
  if (status < 0 && !p->closing) fail(p, status);
}

static void on_connect(uv_connect_t *req, int status) {
  probe_t *p = req->data;
  if (p->closing) return;
  if (status < 0) { fail(p, status); return; }
  p->phase = 1;
  uv_buf_t b = uv_buf_init(p->request, (unsigned int)p->request_len);
  int rc = uv_write(&p->write_req, (uv_stream_t *)&p->tcp, &b, 1, on_write);
  if (rc == 0) rc = uv_read_start((uv_stream_t *)&p->tcp, on_alloc, on_read);
  if (rc < 0) fail(p, rc);
}

static state_t *get_state(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

napi_value js_probe_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function) return throw_type(env, "init(onResult)");
  state_t *s = get_state(env);
  if (s->on_result) return throw_type(env, "init() was already called");
  napi_create_reference(env, argv[0], 1, &s->on_result);
  napi_create_string_utf8(env, "vipd.fastHttpProbe", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &s->async_context);
  s->budget = descriptor_budget();
  return NULL;
}

napi_value js_probe_budget(napi_env env, napi_callback_info info) {
  (void)info;
  state_t *s = get_state(env);
  return js_int(env, s->budget ? s->budget : descriptor_budget());
}

napi_value js_probe_start(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  state_t *s = get_state(env);
  if (!s->on_result) return throw_type(env, "init() first");
  char ip[64];
  size_t ip_len = 0;
  uint32_t port = 0;
  void *req_data = NULL;
  size_t req_len = 0;
  bool is_buffer = false;
  if (argc < 3 || napi_get_value_string_utf8(env, argv[0], ip, sizeof ip, &ip_len) != napi_ok ||
      napi_get_value_uint32(env, argv[1], &port) != napi_ok || port == 0 || port > 65535 ||
      napi_is_buffer(env, argv[2], &is_buffer) != napi_ok || !is_buffer ||
      napi_get_buffer_info(env, argv[2], &req_data, &req_len) != napi_ok || req_len == 0 || req_len > MAX_REQUEST) {
    return throw_type(env, "start(ip, port, request)");
  }
  struct sockaddr_storage addr;
  if (uv_ip4_addr(ip, (int)port, (struct sockaddr_in *)&addr) != 0 &&
      uv_ip6_addr(ip, (int)port, (struct sockaddr_in6 *)&addr) != 0) {
    return throw_type(env, "start(): not an IP address");
  }
  if (s->open_count >= s->budget) return js_int(env, R_NO_BUDGET);
  probe_t *p = calloc(1, sizeof(probe_t) + req_len);
  if (!p) return js_int(env, UV_ENOMEM);
  s->open_count++;
  p->state = s;
  p->request_len = req_len;
  memcpy(p->request, req_data, req_len);
  p->tcp.data = p->connect_req.data = p->write_req.data = p->drain.data = p;
  uv_tcp_init(s->loop, &p->tcp);
  uv_timer_init(s->loop, &p->drain);
  p->open_handles = 2;
  p->next = s->live;
  if (s->live) s->live->prev = p;
  s->live = p;
  p->slot = take_slot(s, p);
  if (p->slot < 0) { close_probe(p); return js_int(env, UV_ENOMEM); }
  int rc = uv_tcp_connect(&p->connect_req, &p->tcp, (const struct sockaddr *)&addr, on_connect);
  if (rc < 0) { release_slot(p); close_probe(p); return js_int(env, rc); }
  return js_int(env, p->slot);
}

napi_value js_probe_cancel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t slot = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  state_t *s = get_state(env);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &slot) != napi_ok || slot < 0 || slot >= s->slot_count || !s->slots[slot]) {
    return throw_type(env, "cancel(slot): no such probe in flight");
  }
  probe_t *p = s->slots[slot];
  int phase = p->phase;
  release_slot(p);
  close_probe(p);
  return js_int(env, phase);
}

/* Environment teardown (process exit or a worker ending): close what is still open. */
static void probe_teardown(napi_env env, void *data, void *hint) {
  (void)hint;
  state_t *s = data;
  s->tearing_down = 1;
  for (probe_t *p = s->live; p; p = p->next) close_probe(p);
  if (s->on_result) {
    napi_async_destroy(env, s->async_context);
    napi_delete_reference(env, s->on_result);
  }
  free(s->slots);
  free(s->free_slots);
  /* Probes still closing keep pointing at the state: it is left for the process to reclaim. */
  if (!s->live) free(s);
}


int probe_attach(napi_env env) {
  state_t *s = calloc(1, sizeof(state_t));
  if (!s) return -1;
  s->env = env;
  napi_get_uv_event_loop(env, &s->loop);
  return napi_set_instance_data(env, s, probe_teardown, NULL) == napi_ok ? 0 : -1;
}
