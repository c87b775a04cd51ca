/*
 * TCP-MD5 (RFC 2385) and GTSM (RFC 5082) sockets for BGP. Node's net module creates a socket and
 * connects it in one step, so a key cannot be set before the SYN; here the socket is made first,
 * its options set, and Node takes the fd over (new net.Socket({ fd }) / server.listen({ fd })).
 *
 *   tcpSocket(family 4|6, localAddress|'', localPort, ttlSecurity) -> fd or -errno
 *       non-blocking, close-on-exec; GTSM: TTL/hop limit 255, IP_MINTTL/IPV6_MINHOPCOUNT 254;
 *       bound when an address or port is given (SO_REUSEADDR when a port is given: a listener)
 *   tcpMd5Key(fd, peerAddress, key Buffer) -> 0 or -errno      (empty key: remove the peer's key)
 *   tcpConnect(fd, address, port, done(err)) -> 0 or -errno    done(0 | -errno) once writable
 *   tcpRelease(fd) -> 0                                        stops a pending connect, closes fd
 *
 * None of these needs CAP_NET_ADMIN on Linux; the key never leaves this call.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>
#include "addon.h"

typedef struct pending_s {
  uv_poll_t poll;
  int fd;
  napi_env env;
  napi_ref done;
  napi_async_context ctx;
  struct pending_s *next;
} pending_t;

static pending_t *pending = NULL;

/* Parses "a.b.c.d" or an IPv6 text into a sockaddr of the socket's family (IPv4 -> v4-mapped). */
static int to_sockaddr(const char *text, int family, int port, struct sockaddr_storage *out, socklen_t *len) {
  memset(out, 0, sizeof *out);
  struct in_addr v4;
  if (family == AF_INET) {
    struct sockaddr_in *s = (struct sockaddr_in *)out;
    if (inet_pton(AF_INET, text, &s->sin_addr) != 1) return -EINVAL;
    s->sin_family = AF_INET;
    s->sin_port = htons((uint16_t)port);
    *len = sizeof *s;
    return 0;
  }
  struct sockaddr_in6 *s = (struct sockaddr_in6 *)out;
  if (inet_pton(AF_INET, text, &v4) == 1) {
    s->sin6_addr.s6_addr[10] = 0xff;
    s->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&s->sin6_addr.s6_addr[12], &v4, 4);
  } else if (inet_pton(AF_INET6, text, &s->sin6_addr) != 1) {
    return -EINVAL;
  }
  s->sin6_family = AF_INET6;
  s->sin6_port = htons((uint16_t)port);
  *len = sizeof *s;
  return 0;
}

static int socket_family(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -errno;
  return ss.ss_family;
}

static int get_string(napi_env env, napi_value v, char *buf, size_t size) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, buf, size, &n) != napi_ok || n >= size - 1) return -1;
  return 0;
}

/* RFC 5082 §3: send with TTL 255, accept only what arrives with at least 255 - 1 (one hop). */
static int set_gtsm(int fd, int family) {
  int ttl = 255, min = 254;
  if (family == AF_INET) {
    if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0) return -errno;
    if (setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof min) != 0) return -errno;
    return 0;
  }
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl) != 0) return -errno;
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min, sizeof min) != 0) return -errno;
  /* an IPv6 listener also takes IPv4 peers (v4-mapped): give those the IPv4 options too */
  setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
  setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min, sizeof min);
  return 0;
}

napi_value js_tcp_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fam, port;
  bool gtsm;
  char local[64];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fam) != napi_ok || (fam != 4 && fam != 6) ||
      get_string(env, argv[1], local, sizeof local) != 0 || napi_get_value_int32(env, argv[2], &port) != napi_ok ||
      port < 0 || port > 65535 || napi_get_value_bool(env, argv[3], &gtsm) != napi_ok) {
    return throw_type(env, "tcpSocket(family 4|6, localAddress, localPort, ttlSecurity)");
  }
  int family = fam == 4 ? AF_INET : AF_INET6;
  int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return js_int(env, -errno);
  int rc = gtsm ? set_gtsm(fd, family) : 0;
  if (rc == 0 && (local[0] || port)) {
    struct sockaddr_storage ss;
    socklen_t len;
    int on = 1;
    if (port && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) rc = -errno;
    if (rc == 0) rc = to_sockaddr(local[0] ? local : (family == AF_INET ? "0.0.0.0" : "::"), family, port, &ss, &len);
    if (rc == 0 && bind(fd, (struct sockaddr *)&ss, len) != 0) rc = -errno;
  }
  if (rc != 0) { close(fd); return js_int(env, rc); }
  return js_int(env, fd);
}

napi_value js_tcp_md5_key(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t fd;
  char peer[64];
  void *key;
  size_t keylen;
  bool is_buffer = false;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 3) napi_is_buffer(env, argv[2], &is_buffer);
  if (argc < 3 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || get_string(env, argv[1], peer, sizeof peer) != 0 ||
      !is_buffer || napi_get_buffer_info(env, argv[2], &key, &keylen) != napi_ok) {
    return throw_type(env, "tcpMd5Key(fd, peerAddress, key: Buffer)");
  }
  if (keylen > TCP_MD5SIG_MAXKEYLEN) return js_int(env, -EINVAL);
  int family = socket_family(fd);
  if (family < 0) return js_int(env, family);
  struct tcp_md5sig sig;
  memset(&sig, 0, sizeof sig);
  socklen_t len;
  int rc = to_sockaddr(peer, family, 0, (struct sockaddr_storage *)&sig.tcpm_addr, &len);
  if (rc != 0) return js_int(env, rc);
  sig.tcpm_keylen = (uint16_t)keylen;
  memcpy(sig.tcpm_key, key, keylen);
  rc = setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &sig, sizeof sig) == 0 ? 0 : -errno;
  memset(&sig, 0, sizeof sig);
  return js_int(env, rc);
}

static pending_t *unlink_pending(int fd) {
  for (pending_t **p = &pending; *p; p = &(*p)->next) {
    if ((*p)->fd != fd) continue;
    pending_t *found = *p;
    *p = found->next;
    return found;
  }
  return NULL;
}

static void free_pending(uv_handle_t *h) { free(h->data); }

/*
 * Closes the poll handle first: closing a poll handle takes its fd out of the loop's epoll set,
 * which must happen before Node registers the same fd for its own socket.
 */
static void drop_pending(pending_t *p) {
  napi_delete_reference(p->env, p->done);
  napi_async_destroy(p->env, p->ctx);
  uv_close((uv_handle_t *)&p->poll, free_pending);
}

static void on_writable(uv_poll_t *h, int status, int events) {
  (void)events;
  pending_t *p = h->data;
  int err = 0;
  socklen_t len = sizeof err;
  /* libuv reports POLLERR as UV_EBADF: the socket's own error says what happened */
  if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = -errno;
  else err = err ? -err : (status < 0 ? status : 0);
  unlink_pending(p->fd);
  napi_env env = p->env;
  napi_ref done = p->done;
  napi_async_context ctx = p->ctx;
  /* the handle (freed later, in its close callback) leaves the loop before JS sees the fd */
  uv_close((uv_handle_t *)&p->poll, free_pending);
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) == napi_ok) {
    napi_value fn, recv, arg, result;
    napi_get_reference_value(env, done, &fn);
    napi_get_global(env, &recv);
    napi_create_int32(env, err, &arg);
    if (napi_make_callback(env, ctx, recv, fn, 1, &arg, &result) == napi_pending_exception) {
      napi_value error;
      napi_get_and_clear_last_exception(env, &error);
      napi_fatal_exception(env, error);
    }
    napi_close_handle_scope(env, scope);
  }
  napi_delete_reference(env, done);
  napi_async_destroy(env, ctx);
}

napi_value js_tcp_connect(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t fd, port;
  char addr[64];
  napi_valuetype t = napi_undefined;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc >= 4) napi_typeof(env, argv[3], &t);
  if (argc < 4 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || get_string(env, argv[1], addr, sizeof addr) != 0 ||
      napi_get_value_int32(env, argv[2], &port) != napi_ok || port < 1 || port > 65535 || t != napi_function) {
    return throw_type(env, "tcpConnect(fd, address, port, done)");
  }
  int family = socket_family(fd);
  if (family < 0) return js_int(env, family);
  struct sockaddr_storage ss;
  socklen_t len;
  int rc = to_sockaddr(addr, family, port, &ss, &len);
  if (rc != 0) return js_int(env, rc);
  if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) return js_int(env, -errno);
  uv_loop_t *loop;
  napi_get_uv_event_loop(env, &loop);
  pending_t *p = calloc(1, sizeof *p);
  if (!p) return js_int(env, -ENOMEM);
  p->fd = fd;
  p->env = env;
  p->poll.data = p;
  napi_value name;
  napi_create_string_utf8(env, "vipd:tcpConnect", NAPI_AUTO_LENGTH, &name);
  if (uv_poll_init_socket(loop, &p->poll, fd) != 0) { free(p); return js_int(env, -EBADF); }
  napi_create_reference(env, argv[3], 1, &p->done);
  napi_async_init(env, NULL, name, &p->ctx);
  uv_poll_start(&p->poll, UV_WRITABLE | UV_DISCONNECT, on_writable);
  p->next = pending;
  pending = p;
  return js_int(env, 0);
}

napi_value js_tcp_release(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) return throw_type(env, "tcpRelease(fd)");
  pending_t *p = unlink_pending(fd);
  if (p) drop_pending(p);
  close(fd);
  return js_int(env, 0);
}
