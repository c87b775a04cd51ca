/*
 * Checks through the data path (issue 16 §3): one prebuilt IPv4 packet (a TCP SYN to the VIP,
 * built in src/health/datapath/packet.ts) sent the way client traffic reaches a realserver, and
 * the first reply from VIP:port to our port handed back to JavaScript. Everything else (packet
 * bytes, parsing, reasons, timeouts) stays in TypeScript: src/health/datapath/probe.ts.
 *
 * Sending:  mode 0 (direct routing): AF_PACKET SOCK_DGRAM to the realserver's MAC on ifindex;
 *           mode 1 (IPIP): a raw IPPROTO_IPIP socket to the realserver, the kernel adds the outer
 *           header (RFC 2003 §3). Neither passes IPVS or the director's routes for the VIP.
 * Receiving: AF_PACKET SOCK_DGRAM on every interface, before routing (the reply's source is the
 *           VIP, a local address on a director, which the IP layer drops as martian), narrowed by
 *           a classic BPF filter to IPv4 TCP from VIP:vport to our port, polled on Node's loop.
 * Needs CAP_NET_RAW (both socket kinds).
 *
 * JS API:
 *   dpStart(mode, ifindex, mac|null, outer|null, vip, vport, sport, packet, onReply(buf)) -> id >= 0 or -errno
 *   dpStop(id, packet|null) -> 0 or -errno   sends `packet` the same way (a RST), then closes
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>
#include "addon.h"

#define MAX_PROBES 4096
#define MAX_PACKET 1500
#define READ_BYTES 256

typedef struct dp_probe {
  uv_poll_t poll;
  napi_env env;
  napi_ref on_reply;
  napi_async_context async_context;
  int fd;
  int mode;
  int ifindex;
  unsigned char mac[6];
  struct in_addr outer;
} dp_probe_t;

static dp_probe_t *probes[MAX_PROBES];

/* IPv4, TCP, not a later fragment, source vip:vport, destination port sport. */
static int attach_filter(int fd, uint32_t vip, uint16_t vport, uint16_t sport) {
  struct sock_filter code[] = {
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0xf0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40, 0, 10),
    BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 8),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 12),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, vip, 0, 6),
    BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),
    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, 4, 0),
    BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
    BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ((uint32_t)vport << 16) | sport, 0, 1),
    BPF_STMT(BPF_RET | BPF_K, READ_BYTES),
    BPF_STMT(BPF_RET | BPF_K, 0),
  };
  struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

static int send_packet(dp_probe_t *p, const void *data, size_t len) {
  ssize_t n;
  if (p->mode == 0) {
    struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = p->ifindex, .sll_halen = 6 };
    memcpy(to.sll_addr, p->mac, 6);
    n = sendto(p->fd, data, len, 0, (struct sockaddr *)&to, sizeof to);
  } else {
    int s = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP);
    if (s < 0) return -errno;
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = p->outer };
    n = sendto(s, data, len, 0, (struct sockaddr *)&to, sizeof to);
    int e = errno;
    close(s);
    errno = e;
  }
  return n < 0 ? -errno : 0;
}

static void on_closed(uv_handle_t *h) { free(h->data); }

static void close_probe(int32_t id) {
  dp_probe_t *p = probes[id];
  probes[id] = NULL;
  uv_poll_stop(&p->poll);
  close(p->fd);
  napi_delete_reference(p->env, p->on_reply);
  napi_async_destroy(p->env, p->async_context);
  uv_close((uv_handle_t *)&p->poll, on_closed);
}

static void on_readable(uv_poll_t *h, int status, int events) {
  (void)events;
  dp_probe_t *p = h->data;
  unsigned char buf[READ_BYTES];
  ssize_t n = status < 0 ? -1 : recv(p->fd, buf, sizeof buf, 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  napi_env env = p->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn, recv_this, arg, result;
  napi_get_reference_value(env, p->on_reply, &fn);
  napi_get_global(env, &recv_this);
  if (n < 0) napi_create_int32(env, status < 0 ? status : -errno, &arg);
  else napi_create_buffer_copy(env, (size_t)n, buf, NULL, &arg);
  if (napi_make_callback(env, p->async_context, recv_this, fn, 1, &arg, &result) == napi_pending_exception) {
    napi_value error;
    napi_get_and_clear_last_exception(env, &error);
    napi_fatal_exception(env, error);
  }
  napi_close_handle_scope(env, scope);
}

static int32_t free_id(void) {
  for (int32_t i = 0; i < MAX_PROBES; i++) if (!probes[i]) return i;
  return -1;
}

napi_value js_dp_start(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t mode = -1, ifindex = 0;
  uint32_t vip = 0, vport = 0, sport = 0;
  void *mac = NULL, *pkt = NULL;
  size_t mac_len = 0, pkt_len = 0;
  char outer[64] = "";
  size_t outer_len = 0;
  napi_valuetype t;
  bool usage = argc < 9 || napi_get_value_int32(env, argv[0], &mode) != napi_ok || (mode != 0 && mode != 1) ||
    napi_get_value_int32(env, argv[1], &ifindex) != napi_ok ||
    napi_get_value_uint32(env, argv[4], &vip) != napi_ok ||
    napi_get_value_uint32(env, argv[5], &vport) != napi_ok || vport > 65535 ||
    napi_get_value_uint32(env, argv[6], &sport) != napi_ok || sport > 65535 ||
    napi_get_buffer_info(env, argv[7], &pkt, &pkt_len) != napi_ok || pkt_len < 20 || pkt_len > MAX_PACKET ||
    napi_typeof(env, argv[8], &t) != napi_ok || t != napi_function;
  if (!usage && mode == 0) usage = ifindex <= 0 || napi_get_buffer_info(env, argv[2], &mac, &mac_len) != napi_ok || mac_len != 6;
  if (!usage && mode == 1) usage = napi_get_value_string_utf8(env, argv[3], outer, sizeof outer, &outer_len) != napi_ok;
  struct in_addr outer_addr = { 0 };
  if (!usage && mode == 1) usage = inet_pton(AF_INET, outer, &outer_addr) != 1;
  if (usage) return throw_type(env, "dpStart(mode 0|1, ifindex, mac|null, outer|null, vip, vport, sport, packet, onReply)");
  int32_t id = free_id();
  if (id < 0) return js_int(env, -EMFILE);
  /* Protocol 0 until the filter is on, so no unfiltered packet is queued. */
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return js_int(env, -errno);
  struct sockaddr_ll bind_to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = 0 };
  if (attach_filter(fd, vip, (uint16_t)vport, (uint16_t)sport) != 0 || bind(fd, (struct sockaddr *)&bind_to, sizeof bind_to) != 0) {
    int e = errno;
    close(fd);
    return js_int(env, -e);
  }
  dp_probe_t *p = calloc(1, sizeof *p);
  if (!p) { close(fd); return js_int(env, -ENOMEM); }
  p->env = env;
  p->fd = fd;
  p->mode = mode;
  p->ifindex = ifindex;
  if (mode == 0) memcpy(p->mac, mac, 6);
  p->outer = outer_addr;
  int rc = send_packet(p, pkt, pkt_len);
  if (rc != 0) { close(fd); free(p); return js_int(env, rc); }
  uv_loop_t *loop;
  napi_value name;
  napi_get_uv_event_loop(env, &loop);
  napi_create_reference(env, argv[8], 1, &p->on_reply);
  napi_create_string_utf8(env, "vipd.datapathProbe", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &p->async_context);
  p->poll.data = p;
  uv_poll_init_socket(loop, &p->poll, fd);
  probes[id] = p;
  uv_poll_start(&p->poll, UV_READABLE, on_readable);
  return js_int(env, id);
}

napi_value js_dp_stop(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t id = -1;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, argv[0], &id) != napi_ok || id < 0 || id >= MAX_PROBES || !probes[id]) {
    return throw_type(env, "dpStop(id, packet|null): no such probe");
  }
  void *pkt = NULL;
  size_t pkt_len = 0;
  bool is_buffer = false;
  int rc = 0;
  if (argc > 1 && napi_is_buffer(env, argv[1], &is_buffer) == napi_ok && is_buffer &&
      napi_get_buffer_info(env, argv[1], &pkt, &pkt_len) == napi_ok && pkt_len >= 20 && pkt_len <= MAX_PACKET) {
    rc = send_packet(probes[id], pkt, pkt_len);
  }
  close_probe(id);
  return js_int(env, rc);
}
