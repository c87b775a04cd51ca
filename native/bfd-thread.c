/*
 * The BFD thread: owns every session, their sockets and timers, and runs apart from Node's event
 * loop, so a busy or paused loop (health checks, API floods, GC) cannot delay a packet or a
 * detection (docs/bfd.md). JS calls in through bfd-napi.c under one mutex; state changes go out
 * through the notify function (a thread-safe function call into JS).
 */
#define _GNU_SOURCE /* ppoll */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "bfd.h"

#define MAX_RX 64

typedef struct { int fd, family, has_local; struct sockaddr_storage local; } rx_sock_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t thread;
static int running, stopping, wake_fd = -1;
static bfd_sess_t *sessions;
static rx_sock_t rx[MAX_RX];
static int rx_n;
static bfd_counters_t counters;
static bfd_notify_fn notify;
static uint64_t rnd_state;

static int64_t mono_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static uint32_t rnd(void) { /* xorshift64*, seeded from getrandom: jitter and discriminators */
  rnd_state ^= rnd_state >> 12; rnd_state ^= rnd_state << 25; rnd_state ^= rnd_state >> 27;
  return (uint32_t)((rnd_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void wake(void) {
  uint64_t one = 1;
  if (wake_fd >= 0 && write(wake_fd, &one, sizeof one) < 0) { /* the counter is full: the thread is awake anyway */ }
}

static bfd_sess_t *by_id(int32_t id) {
  for (bfd_sess_t *s = sessions; s; s = s->next) if (s->id == id) return s;
  return NULL;
}

static void transmit(bfd_sess_t *s, int final) {
  bfd_pkt_t p;
  uint8_t b[BFD_PKT_LEN];
  bfd_sess_build(s, &p, final);
  bfd_encode(&p, b);
  bfd_io_send(s->tx_fd, &s->peer, s->peer_len, b, sizeof b);
}

/* RFC 5881 §5 TTL check, RFC 5880 §6.8.6 checks and session lookup, then the state machine. */
static void received(int rx_index, const uint8_t *buf, ssize_t n, const struct sockaddr_storage *from, int ttl) {
  if (ttl != 255) { counters.bad_ttl++; return; }
  bfd_pkt_t p;
  if (bfd_decode(buf, (size_t)n, &p) != 0) { counters.invalid++; return; }
  if (p.your_disc == 0 && p.state != BFD_DOWN && p.state != BFD_ADMIN_DOWN) { counters.invalid++; return; }
  bfd_sess_t *s = sessions;
  for (; s; s = s->next) {
    if (!bfd_io_same_addr(&s->peer, from)) continue;
    if (p.your_disc ? p.your_disc == s->local_disc : s->rx_index == rx_index) break;
  }
  if (!s) { counters.no_session++; return; }
  bfd_sess_rx(s, &p, mono_us());
}

/*
 * Above ordinary threads, so that a host busy with vipd's own health checks (or anything else) does
 * not delay a packet: SCHED_FIFO when allowed (vipd runs as root for IPVS), else the lowest nice.
 * The thread sleeps between packets, so it takes almost no CPU from anyone.
 */
static void raise_priority(void) {
  struct sched_param sp = { .sched_priority = 10 };
  counters.realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
  if (!counters.realtime && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -20) != 0) { /* unprivileged: as is */ }
}

static void *loop(void *arg) {
  (void)arg;
  uint8_t buf[512];
  struct pollfd fds[MAX_RX + 1];
  raise_priority();
  pthread_mutex_lock(&mu);
  while (!stopping) {
    int64_t now = mono_us();
    int64_t next = now + 1000000;
    for (bfd_sess_t *s = sessions; s; s = s->next) {
      bfd_sess_tick(s, now);
      if (s->send_final) { s->send_final = 0; transmit(s, 1); }
      if (now >= s->next_tx) {
        /* §6.8.7: no periodic packets to a remote that asks for none (RequiredMinRxInterval 0) */
        if (s->remote_min_rx_us != 0) { transmit(s, 0); bfd_sess_sent(s, now, rnd()); }
        else s->next_tx = now + bfd_sess_tx_interval(s);
      }
      if (s->changed) { s->changed = 0; notify(s->id, s->state, s->local_diag, s->remote_state); }
      if (s->next_tx < next) next = s->next_tx;
      if (s->detect_at && s->detect_at < next) next = s->detect_at;
    }
    int nfds = 0;
    fds[nfds++] = (struct pollfd){ .fd = wake_fd, .events = POLLIN };
    for (int i = 0; i < rx_n; i++) fds[nfds++] = (struct pollfd){ .fd = rx[i].fd, .events = POLLIN };
    int64_t wait = next - now;
    if (wait < 0) wait = 0;
    struct timespec ts = { (time_t)(wait / 1000000), (long)(wait % 1000000) * 1000 };
    pthread_mutex_unlock(&mu);
    int r = ppoll(fds, (nfds_t)nfds, &ts, NULL);
    pthread_mutex_lock(&mu);
    if (r <= 0) continue;
    if (fds[0].revents & POLLIN) { uint64_t v; if (read(wake_fd, &v, sizeof v) < 0) { /* EAGAIN */ } }
    for (int i = 1; i < nfds; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      for (int k = 0; k < 256; k++) { /* bounded: other sockets and timers get their turn */
        struct sockaddr_storage from;
        int ttl;
        ssize_t n = bfd_io_recv(fds[i].fd, buf, sizeof buf, &from, &ttl);
        if (n < 0) break;
        received(i - 1, buf, n, &from, ttl);
      }
    }
  }
  pthread_mutex_unlock(&mu);
  return NULL;
}

int bfd_thread_start(bfd_notify_fn fn) {
  pthread_mutex_lock(&mu);
  int r = 0;
  if (!running) {
    if (getrandom(&rnd_state, sizeof rnd_state, 0) != sizeof rnd_state || rnd_state == 0) rnd_state = (uint64_t)mono_us() | 1;
    notify = fn;
    stopping = 0;
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd < 0) r = -errno;
    else if ((r = -pthread_create(&thread, NULL, loop, NULL)) == 0) running = 1;
  }
  pthread_mutex_unlock(&mu);
  return r;
}

void bfd_thread_stop(void) {
  pthread_mutex_lock(&mu);
  if (!running) { pthread_mutex_unlock(&mu); return; }
  stopping = 1;
  wake();
  pthread_mutex_unlock(&mu);
  pthread_join(thread, NULL);
  pthread_mutex_lock(&mu);
  while (sessions) { bfd_sess_t *s = sessions; sessions = s->next; close(s->tx_fd); free(s); }
  for (int i = 0; i < rx_n; i++) close(rx[i].fd);
  rx_n = 0;
  close(wake_fd);
  wake_fd = -1;
  running = 0;
  pthread_mutex_unlock(&mu);
}

/* Receiving sockets are shared by local address and kept until the thread stops (few addresses). */
static int rx_for(const struct sockaddr_storage *local, int has_local, int family) {
  for (int i = 0; i < rx_n; i++)
    if (rx[i].family == family && rx[i].has_local == has_local && (!has_local || bfd_io_same_addr(&rx[i].local, local))) return i;
  if (rx_n == MAX_RX) return -EMFILE;
  int fd = bfd_io_rx_socket(local, family);
  if (fd < 0) return fd;
  rx[rx_n] = (rx_sock_t){ .fd = fd, .family = family, .has_local = has_local, .local = *local };
  counters.rx_sockets = (uint64_t)rx_n + 1;
  return rx_n++;
}

int bfd_add(int32_t id, const struct sockaddr_storage *peer, const struct sockaddr_storage *local, int has_local,
            uint32_t tx_us, uint32_t rx_us, uint8_t mult) {
  pthread_mutex_lock(&mu);
  int r = 0;
  bfd_sess_t *s = NULL;
  if (!running) r = -ESRCH;
  else if (by_id(id)) r = -EEXIST;
  else if (!(s = calloc(1, sizeof *s))) r = -ENOMEM;
  if (r == 0) {
    int family = peer->ss_family;
    s->id = id; s->peer = *peer; s->local = *local; s->has_local = has_local;
    s->peer_len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    s->cfg_tx_us = tx_us; s->req_rx_us = rx_us; s->mult = mult;
    s->rx_index = rx_for(local, has_local, family);
    if (s->rx_index < 0) r = s->rx_index;
    else if ((s->tx_fd = bfd_io_tx_socket(local, family, rnd())) < 0) r = s->tx_fd;
  }
  if (r == 0) {
    do { s->local_disc = rnd(); } while (s->local_disc == 0); /* §6.8.1: nonzero, unique */
    for (bfd_sess_t *o = sessions; o; o = o->next) if (o->local_disc == s->local_disc) s->local_disc++;
    bfd_sess_init(s, mono_us());
    s->next = sessions;
    sessions = s;
    wake();
  } else if (s) {
    free(s);
  }
  pthread_mutex_unlock(&mu);
  return r;
}

int bfd_remove(int32_t id) {
  pthread_mutex_lock(&mu);
  int r = -ENOENT;
  for (bfd_sess_t **p = &sessions; *p; p = &(*p)->next) {
    if ((*p)->id != id) continue;
    bfd_sess_t *s = *p;
    *p = s->next;
    close(s->tx_fd);
    free(s);
    r = 0;
    break;
  }
  pthread_mutex_unlock(&mu);
  return r;
}

int bfd_admin_down(int32_t id) {
  pthread_mutex_lock(&mu);
  bfd_sess_t *s = by_id(id);
  if (s) { bfd_sess_admin_down(s, mono_us()); wake(); }
  pthread_mutex_unlock(&mu);
  return s ? 0 : -ENOENT;
}

int bfd_snapshot(int32_t id, bfd_sess_t *out, int32_t *late, uint32_t *late_len) {
  pthread_mutex_lock(&mu);
  bfd_sess_t *s = by_id(id);
  if (s) {
    memcpy(out, s, offsetof(bfd_sess_t, late_log));
    if (late) {
      memcpy(late, s->late_log, sizeof(int32_t) * s->late_len);
      *late_len = s->late_len;
      s->late_len = 0;
    }
  }
  pthread_mutex_unlock(&mu);
  return s ? 0 : -ENOENT;
}

bfd_counters_t bfd_counters(void) {
  pthread_mutex_lock(&mu);
  bfd_counters_t c = counters;
  pthread_mutex_unlock(&mu);
  return c;
}
