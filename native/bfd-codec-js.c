/* bfdEncode / bfdDecode: the C codec (bfd-packet.c) reachable from tests, to cross-check src/bfd/codec.ts. */
#include <string.h>
#include "addon.h"
#include "bfd.h"

static const char *const FIELDS[] = { "version", "diag", "state", "flags", "mult", "length",
                                      "myDisc", "yourDisc", "minTx", "minRx", "minEchoRx" };

static void to_fields(const bfd_pkt_t *p, double v[11]) {
  double f[11] = { p->version, p->diag, p->state, p->flags, p->mult, p->length,
                   p->my_disc, p->your_disc, p->min_tx, p->min_rx, p->min_echo_rx };
  memcpy(v, f, sizeof f);
}

napi_value bfd_js_codec(napi_env env, napi_callback_info info, int encode) {
  size_t argc = 1;
  napi_value arg, out;
  napi_get_cb_info(env, info, &argc, &arg, NULL, NULL);
  if (argc < 1) return throw_type(env, encode ? "bfdEncode(fields)" : "bfdDecode(buffer)");
  bfd_pkt_t p;
  memset(&p, 0, sizeof p);
  if (encode) {
    uint32_t v[11];
    for (int i = 0; i < 11; i++) {
      napi_value x;
      if (napi_get_named_property(env, arg, FIELDS[i], &x) != napi_ok || napi_get_value_uint32(env, x, &v[i]) != napi_ok) v[i] = 0;
    }
    p = (bfd_pkt_t){ (uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2], (uint8_t)v[3], (uint8_t)v[4], (uint8_t)v[5],
                     v[6], v[7], v[8], v[9], v[10] };
    void *data;
    napi_create_buffer(env, BFD_PKT_LEN, &data, &out);
    bfd_encode(&p, data);
    return out;
  }
  void *data;
  size_t len;
  if (napi_get_buffer_info(env, arg, &data, &len) != napi_ok) return throw_type(env, "bfdDecode(buffer)");
  int r = bfd_decode(data, len, &p);
  if (r != 0) return js_int(env, r);
  double v[11];
  to_fields(&p, v);
  napi_create_object(env, &out);
  for (int i = 0; i < 11; i++) {
    napi_value x;
    napi_create_double(env, v[i], &x);
    napi_set_named_property(env, out, FIELDS[i], x);
  }
  return out;
}
