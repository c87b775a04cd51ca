/*
 * One BFD session in asynchronous mode (RFC 5880): the state machine of §6.2 driven by received
 * packets (§6.8.6) and the detection timer (§6.8.4), the transmit timer (§6.8.7), and the poll
 * sequence that a change of the transmit interval needs (§6.5, §6.8.3). Pure: the caller brings the
 * time (monotonic microseconds) and does the sending.
 */
#include <string.h>
#include "bfd.h"

static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }

/* §6.8.3: while not Up, DesiredMinTxInterval is at least one second; a change while Up needs a poll. */
static void set_desired_tx(bfd_sess_t *s, int64_t now) {
  uint32_t want = s->state == BFD_UP ? s->cfg_tx_us : max32(s->cfg_tx_us, BFD_SLOW_TX_US);
  if (want == s->desired_tx_us) return;
  int faster = want < s->desired_tx_us;
  s->desired_tx_us = want;
  if (s->state == BFD_UP) {
    s->poll_active = 1;
    if (faster) s->next_tx = now; /* a poll goes out at once; a slower rate waits for the Final (§6.8.3) */
  }
}

static void set_state(bfd_sess_t *s, uint8_t state, uint8_t diag, int64_t now) {
  if (state == s->state) return;
  if (s->state == BFD_UP) s->down_count++;
  if (state == BFD_UP) s->up_count++;
  s->state = state;
  s->local_diag = diag;
  s->changed = 1;
  if (state == BFD_DOWN || state == BFD_ADMIN_DOWN) {
    s->detect_at = 0;
    /* §6.8.1: RemoteDiscr goes back to zero when the detection time passes without a packet */
    if (diag == DIAG_TIME_EXPIRED) s->remote_disc = 0;
    s->poll_active = 0;
  }
  set_desired_tx(s, now);
}

void bfd_sess_init(bfd_sess_t *s, int64_t now) {
  s->state = BFD_DOWN;
  s->remote_state = BFD_DOWN;
  s->local_diag = s->remote_diag = DIAG_NONE;
  s->remote_disc = 0;
  s->remote_min_rx_us = 1; /* §6.8.1 */
  s->remote_desired_tx_us = 0;
  s->remote_mult = 0;
  s->desired_tx_us = max32(s->cfg_tx_us, BFD_SLOW_TX_US);
  s->next_tx = now;
  s->detect_at = 0;
}

/* §6.8.7: the interval actually used, before jitter. */
uint32_t bfd_sess_tx_interval(const bfd_sess_t *s) {
  return max32(s->desired_tx_us, s->remote_min_rx_us);
}

/* §6.8.4: asynchronous mode, the remote's multiplier times the agreed receive interval. */
uint64_t bfd_sess_detect_us(const bfd_sess_t *s) {
  return (uint64_t)s->remote_mult * max32(s->req_rx_us, s->remote_desired_tx_us);
}

/* A packet that passed bfd_decode and the discriminator lookup (§6.8.6, from "If the A bit"). */
void bfd_sess_rx(bfd_sess_t *s, const bfd_pkt_t *p, int64_t now) {
  s->rx_count++;
  s->remote_disc = p->my_disc;
  s->remote_state = p->state;
  s->remote_diag = p->diag;
  s->remote_desired_tx_us = p->min_tx;
  s->remote_mult = p->mult;
  uint32_t old_min_rx = s->remote_min_rx_us;
  s->remote_min_rx_us = p->min_rx;
  if ((p->flags & F_FINAL) && s->poll_active) s->poll_active = 0;
  if (p->flags & F_POLL) s->send_final = 1;
  /* §6.8.7: a faster rate the remote now accepts applies from the next packet on */
  if (s->remote_min_rx_us < old_min_rx && s->next_tx > now + (int64_t)bfd_sess_tx_interval(s))
    s->next_tx = now + bfd_sess_tx_interval(s);
  if (s->state == BFD_ADMIN_DOWN) return;
  if (s->state == BFD_INIT || s->state == BFD_UP || p->state == BFD_INIT || p->state == BFD_UP)
    s->detect_at = now + (int64_t)bfd_sess_detect_us(s);
  if (p->state == BFD_ADMIN_DOWN) {
    if (s->state != BFD_DOWN) set_state(s, BFD_DOWN, DIAG_NEIGHBOR_DOWN, now);
    return;
  }
  if (s->state == BFD_DOWN) {
    if (p->state == BFD_DOWN) set_state(s, BFD_INIT, DIAG_NONE, now);
    else if (p->state == BFD_INIT) set_state(s, BFD_UP, DIAG_NONE, now);
  } else if (s->state == BFD_INIT) {
    if (p->state == BFD_INIT || p->state == BFD_UP) set_state(s, BFD_UP, DIAG_NONE, now);
  } else if (p->state == BFD_DOWN) {
    set_state(s, BFD_DOWN, DIAG_NEIGHBOR_DOWN, now);
  }
}

/* §6.8.4: the detection time passed without a packet (only Init and Up run the timer). */
void bfd_sess_tick(bfd_sess_t *s, int64_t now) {
  if (s->detect_at && now >= s->detect_at && (s->state == BFD_INIT || s->state == BFD_UP))
    set_state(s, BFD_DOWN, DIAG_TIME_EXPIRED, now);
}

void bfd_sess_build(bfd_sess_t *s, bfd_pkt_t *p, int final) {
  memset(p, 0, sizeof *p);
  p->version = 1;
  p->diag = s->local_diag;
  p->state = s->state;
  /* §6.5: a Final answers a Poll; a packet carries P or F, never both */
  p->flags = final ? F_FINAL : (s->poll_active ? F_POLL : 0);
  p->mult = s->mult;
  p->my_disc = s->local_disc;
  p->your_disc = s->remote_disc;
  p->min_tx = s->desired_tx_us;
  p->min_rx = s->req_rx_us;
  p->min_echo_rx = 0; /* no echo function */
}

/* A periodic packet went out: the next one 75-100% of the interval later, 75-90% with mult 1 (§6.8.7). */
void bfd_sess_sent(bfd_sess_t *s, int64_t now, uint32_t rnd) {
  int64_t late = now - s->next_tx;
  if (s->late_len < BFD_LATE_LOG) s->late_log[s->late_len++] = late > INT32_MAX ? INT32_MAX : (int32_t)late;
  s->tx_count++;
  uint64_t iv = bfd_sess_tx_interval(s);
  uint64_t span = s->mult == 1 ? iv * 15 / 100 : iv / 4;
  uint64_t jitter = span ? (uint64_t)rnd % span : 0;
  uint64_t cut = s->mult == 1 ? iv / 10 : 0;
  s->next_tx = now + (int64_t)(iv - jitter - cut);
}

/* RFC 5880 §6.8.16, RFC 5882 §3.2: a planned stop says so, so the remote does not see a failure. */
void bfd_sess_admin_down(bfd_sess_t *s, int64_t now) {
  set_state(s, BFD_ADMIN_DOWN, DIAG_ADMIN_DOWN, now);
  s->next_tx = now;
}
