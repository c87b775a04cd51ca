{
  "targets": [
    {
      "target_name": "vipd_native",
      "sources": ["addon.c", "http-probe.c", "keepalive.c", "tcp-md5.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
