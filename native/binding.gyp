{
  "targets": [
    {
      "target_name": "vipd_native",
      "sources": ["addon.c", "http-probe.c", "keepalive.c", "descriptor-budget.c", "tcp-md5.c", "datapath.c", "reexec.c", "malloc-tune.c",
                  "bfd-packet.c", "bfd-session.c", "bfd-io.c", "bfd-thread.c", "bfd-napi.c", "bfd-codec-js.c"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Werror"]
    }
  ]
}
