#!/usr/bin/env bash
# Regenerates test/fixtures/pcaps from the real routers (root; FRR, BIRD, GoBGP, ExaBGP, tcpdump, editcap).
set -euo pipefail
cd "$(dirname "$0")/../.."
TS_NODE_TRANSPILE_ONLY=1 exec node --import=@tapjs/typescript/import test/lab/capture-all.ts "$@"
