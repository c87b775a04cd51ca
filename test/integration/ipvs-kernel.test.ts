// The real-kernel IPVS tests: one QEMU guest boot (Debian kernel with ip_vs) runs every scenario
// of test/lab/ipvs-vm/guest-scenarios.ts against the real ipvsadm; one assertion per scenario.
import t from 'tap';
import { runGuestSuite } from './ipvs-guest-suite.js';

const SCENARIOS = [
  'apply to an empty table',
  'adopt an existing table without recreating services, leave foreign ones alone',
  'drift repair by the periodic reconcile, counted',
  'IPv6 service with persistence and masquerading',
  'udp service with one-packet scheduling and scheduler flags',
  'fwmark services, IPv4 and IPv6',
  'drain with weight 0 keeps the server at weight 0',
  'service edit, thresholds read back',
  'error: nonexistent realserver',
  'error: duplicate service in the middle of a batch (ipvsadm exits 0)',
  'error: bad scheduler',
  'error: weight rejected by ipvsadm itself',
  'stats of every service',
  'pybal.conf as puppet renders it: mh with flags, IPIP, udp ops; read back, nothing to change',
  'vipd ipvs plan against the kernel table',
  'a burst of 30 decisions: no read per decision, at most 2 batches, the kernel holds the newest (issue 13 §2)',
  // guest-daemon.ts: `vipd run` in-process with the real ipvsadm, one result per step, in order
  'vipd run: all backends up: the service and its 3 servers with their weights',
  'vipd run: backend .10 killed: depooled, gone from the kernel',
  'vipd run: backend .11 killed: at the depool threshold, pooled-but-down and kept in the kernel',
  'vipd run: backend .10 back: repooled (and .11, still down, can be depooled now)',
  'vipd run: backend .11 back: repooled',
  'vipd run: pool edit: a server added',
  'vipd run: pool edit: a server disabled',
  'vipd run: pool edit: weight 0 drains (the server stays, at -w 0)',
  'vipd run: pool edit with a malformed line: reported, the other lines applied',
  'vipd run: operator drain: the server stays at -w 0',
  'vipd run: operator depool: the server leaves the kernel',
  'vipd run: operator repool: the server is back at its weight',
  'vipd run: invalid reload: rejected with an alert, the kernel table kept',
  'vipd run: valid reload: a second service added, the first kept',
  'vipd run: hand-made drift repaired at ipvs-reconcile-interval (1 s)',
  'vipd run: stopped: the kernel table is left as is',
  // guest-adoption.ts (issue 11): a wrapper ipvsadm on PATH fails the first reads, then cuts a batch
  'vipd run: unreadable table at start: no batch until read, every service intact',
  'vipd run: a batch cut half-way: read back, the rest retried, nothing else moved',
  // guest-restart.ts (issue 14 §1): graceful restart on, planned restarts, the real ipvsadm behind a recording wrapper
  'vipd run: graceful restart on: the table built',
  'vipd run: 3 planned restarts with graceful restart: ipvsadm -Sn identical before and after each, no batch deletes',
];

t.test('IPVS adapter on a real kernel (QEMU guest)', (t) => runGuestSuite(t, {
  entry: 'test/lab/ipvs-vm/guest-scenarios.ts',
  lazy: ['test/lab/ipvs-vm/guest-daemon.ts', 'test/lab/ipvs-vm/guest-backends.ts', 'test/lab/ipvs-vm/guest-adoption.ts', 'test/lab/ipvs-vm/guest-restart.ts'],
  scenarios: SCENARIOS,
  timeoutMs: 360_000,
  comment: (name) => name.startsWith('vipd run:'),
}));
