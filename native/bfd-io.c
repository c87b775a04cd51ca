/*
 * BFD's sockets (RFC 5881): control packets go to UDP 3784 from a source port in 49152-65535 (§4),
 * with TTL / hop limit 255, and a received packet counts only with TTL / hop limit 255 (§5, GTSM).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>
#include "bfd.h"

#define BFD_PORT 3784

static int nonblocking_socket(int family) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return -errno;
  if (family == AF_INET6) {
    int on = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  return fd;
}

static void set_port(struct sockaddr_storage *a, uint16_t port) {
  if (a->ss_family == AF_INET) ((struct sockaddr_in *)a)->sin_port = htons(port);
  else ((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

static socklen_t addr_len(int family) {
  return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* The receiving socket for one local address (or the wildcard), asking for each packet's TTL. */
int bfd_io_rx_socket(const struct sockaddr_storage *local, int family) {
  int fd = nonblocking_socket(family);
  if (fd < 0) return fd;
  int on = 1;
  /* a wildcard socket and a per-address one may share the port (the more specific one gets the packet) */
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  int r = family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on)
                            : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
  struct sockaddr_storage a = *local;
  a.ss_family = (sa_family_t)family;
  set_port(&a, BFD_PORT);
  if (r != 0 || bind(fd, (struct sockaddr *)&a, addr_len(family)) != 0) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

/* One sending socket per session, from its own port in 49152-65535 (RFC 5881 §4), TTL 255 (§5). */
int bfd_io_tx_socket(const struct sockaddr_storage *local, int family, uint32_t rnd) {
  int fd = nonblocking_socket(family);
  if (fd < 0) return fd;
  int ttl = 255;
  int r = family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
                            : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
  if (r != 0) { int e = errno; close(fd); return -e; }
  struct sockaddr_storage a = *local;
  a.ss_family = (sa_family_t)family;
  for (int i = 0; i < 64; i++) {
    set_port(&a, (uint16_t)(49152 + (rnd + (uint32_t)i * 7919u) % 16384u));
    if (bind(fd, (struct sockaddr *)&a, addr_len(family)) == 0) return fd;
    if (errno != EADDRINUSE) break;
  }
  int e = errno;
  close(fd);
  return -e;
}

/* One datagram and its TTL / hop limit (-1 when the kernel gave none); -errno, or -EAGAIN when empty. */
ssize_t bfd_io_recv(int fd, uint8_t *buf, size_t cap, struct sockaddr_storage *from, int *ttl) {
  struct iovec iov = { buf, cap };
  union { char b[CMSG_SPACE(sizeof(int)) * 2]; struct cmsghdr align; } ctl;
  struct msghdr m = { .msg_name = from, .msg_namelen = sizeof *from, .msg_iov = &iov, .msg_iovlen = 1,
                      .msg_control = ctl.b, .msg_controllen = sizeof ctl.b };
  ssize_t n = recvmsg(fd, &m, 0);
  if (n < 0) return -errno;
  *ttl = -1;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
        (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
      memcpy(ttl, CMSG_DATA(c), sizeof *ttl);
    }
  }
  return n;
}

int bfd_io_send(int fd, const struct sockaddr_storage *to, socklen_t to_len, const uint8_t *buf, size_t len) {
  struct sockaddr_storage a = *to;
  set_port(&a, BFD_PORT);
  return sendto(fd, buf, len, 0, (struct sockaddr *)&a, to_len) < 0 ? -errno : 0;
}

int bfd_io_same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET)
    return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
  return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}
