/*
 * BFD (RFC 5880 asynchronous mode, RFC 5881 single hop) on a thread of its own, so that its timers
 * do not depend on how busy Node's event loop is (docs/bfd.md). Split by concern:
 *   bfd-packet.c   the control packet codec (RFC 5880 §4.1), pure
 *   bfd-session.c  one session's state machine and timers (RFC 5880 §6.2, §6.8), pure
 *   bfd-io.c       sockets: TTL 255 out, only TTL 255 in (RFC 5881 §4, §5)
 *   bfd-thread.c   the session table and the thread's poll loop
 *   bfd-napi.c     the JS functions and the state-change callback
 */
#ifndef VIPD_BFD_H
#define VIPD_BFD_H
#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>

enum { BFD_ADMIN_DOWN = 0, BFD_DOWN = 1, BFD_INIT = 2, BFD_UP = 3 };
/* RFC 5880 §4.1 diagnostic codes used here */
enum { DIAG_NONE = 0, DIAG_TIME_EXPIRED = 1, DIAG_NEIGHBOR_DOWN = 3, DIAG_ADMIN_DOWN = 7 };
/* Flag bits of the second octet, below the 2-bit state */
enum { F_POLL = 0x20, F_FINAL = 0x10, F_CPI = 0x08, F_AUTH = 0x04, F_DEMAND = 0x02, F_MULTI = 0x01 };
#define BFD_PKT_LEN 24
#define BFD_SLOW_TX_US 1000000u /* RFC 5880 §6.8.3: at least 1 s while not Up */
#define BFD_LATE_LOG 8192

typedef struct {
  uint8_t version, diag, state, flags, mult, length;
  uint32_t my_disc, your_disc, min_tx, min_rx, min_echo_rx;
} bfd_pkt_t;

/* bfd-packet.c: 0 or a negative reason (BFD_E_*) */
enum { BFD_E_SHORT = -1, BFD_E_VERSION = -2, BFD_E_LENGTH = -3, BFD_E_MULT = -4, BFD_E_MULTIPOINT = -5,
       BFD_E_MY_DISC = -6, BFD_E_AUTH = -7 };
void bfd_encode(const bfd_pkt_t *p, uint8_t out[BFD_PKT_LEN]);
int bfd_decode(const uint8_t *buf, size_t len, bfd_pkt_t *p);

typedef struct bfd_sess {
  int32_t id;
  struct sockaddr_storage peer, local;
  socklen_t peer_len, local_len;
  int has_local, tx_fd, rx_index;
  uint8_t state, remote_state, local_diag, remote_diag, mult, remote_mult;
  uint32_t local_disc, remote_disc;
  uint32_t cfg_tx_us, desired_tx_us, req_rx_us, remote_min_rx_us, remote_desired_tx_us;
  int poll_active, send_final, changed;
  int64_t next_tx, detect_at; /* monotonic us; 0 = not running */
  uint64_t tx_count, rx_count, up_count, down_count;
  int32_t late_log[BFD_LATE_LOG]; /* us between a packet's scheduled and actual send */
  uint32_t late_len;
  struct bfd_sess *next;
} bfd_sess_t;

/* bfd-session.c */
void bfd_sess_init(bfd_sess_t *s, int64_t now);
void bfd_sess_rx(bfd_sess_t *s, const bfd_pkt_t *p, int64_t now);
void bfd_sess_tick(bfd_sess_t *s, int64_t now);
void bfd_sess_build(bfd_sess_t *s, bfd_pkt_t *p, int final);
void bfd_sess_sent(bfd_sess_t *s, int64_t now, uint32_t rnd);
void bfd_sess_admin_down(bfd_sess_t *s, int64_t now);
uint32_t bfd_sess_tx_interval(const bfd_sess_t *s);
uint64_t bfd_sess_detect_us(const bfd_sess_t *s);

/* bfd-io.c */
int bfd_io_rx_socket(const struct sockaddr_storage *local, int family);
int bfd_io_tx_socket(const struct sockaddr_storage *local, int family, uint32_t rnd);
ssize_t bfd_io_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from, int *ttl);
int bfd_io_send(int fd, const struct sockaddr_storage *to, socklen_t to_len, const uint8_t *buf, size_t len);
int bfd_io_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* bfd-thread.c: every call takes the table lock */
typedef void (*bfd_notify_fn)(int32_t id, int state, int diag, int remote_state);
typedef struct { uint64_t bad_ttl, invalid, no_session, rx_sockets, realtime; } bfd_counters_t;
int bfd_thread_start(bfd_notify_fn notify);
void bfd_thread_stop(void);
int bfd_add(int32_t id, const struct sockaddr_storage *peer, const struct sockaddr_storage *local, int has_local,
            uint32_t tx_us, uint32_t rx_us, uint8_t mult);
int bfd_remove(int32_t id);
int bfd_admin_down(int32_t id);
/* Copies the session (without its lateness log, unless take_late: then the log moves to late/late_len). */
int bfd_snapshot(int32_t id, bfd_sess_t *out, int32_t *late, uint32_t *late_len);
bfd_counters_t bfd_counters(void);
#endif
