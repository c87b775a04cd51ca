/* How many descriptors the health-check probes may hold at once (http-probe.c). */
#include <stdint.h>
#include <sys/resource.h>
#include "addon.h"

/*
 * Probes may hold all descriptors but a reserve for BGP, the API, etcd and ipvsadm's pipes: a tenth
 * of RLIMIT_NOFILE, 64 to 1024. Beyond it a check is not started (and is no verdict): at 19,000
 * checks/s on an overloaded host the probes once took every descriptor and vipd ended.
 */
int32_t descriptor_budget(void) {
  struct rlimit r;
  if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur == RLIM_INFINITY || r.rlim_cur > INT32_MAX) return INT32_MAX;
  int32_t limit = (int32_t)r.rlim_cur, reserve = limit / 10;
  reserve = reserve < 64 ? 64 : reserve > 1024 ? 1024 : reserve;
  return limit - reserve > limit / 2 ? limit - reserve : limit / 2;
}
