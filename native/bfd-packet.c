/* The BFD control packet without authentication (RFC 5880 §4.1), and its reception checks (§6.8.6). */
#include "bfd.h"

static void put32(uint8_t *b, uint32_t v) {
  b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16); b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *b) {
  return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

void bfd_encode(const bfd_pkt_t *p, uint8_t out[BFD_PKT_LEN]) {
  out[0] = (uint8_t)((p->version & 7) << 5 | (p->diag & 0x1f));
  out[1] = (uint8_t)((p->state & 3) << 6 | (p->flags & 0x3f));
  out[2] = p->mult;
  out[3] = BFD_PKT_LEN;
  put32(out + 4, p->my_disc);
  put32(out + 8, p->your_disc);
  put32(out + 12, p->min_tx);
  put32(out + 16, p->min_rx);
  put32(out + 20, p->min_echo_rx);
}

/* RFC 5880 §6.8.6: the checks that need no session; the caller does the discriminator lookup. */
int bfd_decode(const uint8_t *buf, size_t len, bfd_pkt_t *p) {
  if (len < BFD_PKT_LEN) return BFD_E_SHORT;
  p->version = buf[0] >> 5;
  p->diag = buf[0] & 0x1f;
  p->state = buf[1] >> 6;
  p->flags = buf[1] & 0x3f;
  p->mult = buf[2];
  p->length = buf[3];
  p->my_disc = get32(buf + 4);
  p->your_disc = get32(buf + 8);
  p->min_tx = get32(buf + 12);
  p->min_rx = get32(buf + 16);
  p->min_echo_rx = get32(buf + 20);
  if (p->version != 1) return BFD_E_VERSION;
  if (p->length < ((p->flags & F_AUTH) ? 26 : BFD_PKT_LEN) || p->length > len) return BFD_E_LENGTH;
  if (p->mult == 0) return BFD_E_MULT;
  if (p->flags & F_MULTI) return BFD_E_MULTIPOINT;
  if (p->my_disc == 0) return BFD_E_MY_DISC;
  /* No authentication is configured: a packet asking for it is discarded (§6.8.6). */
  if (p->flags & F_AUTH) return BFD_E_AUTH;
  return 0;
}
