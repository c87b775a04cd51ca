// The site-level real-kernel tests, in a QEMU guest boot of their own (test/lab/ipvs-vm/guest-site.ts):
// checks through the data path, the seed's black-holed realserver, mh consistent hashing across two
// directors. Each scenario builds its own network namespaces inside the guest.
import t from 'tap';
import { runGuestSuite } from './ipvs-guest-suite.js';

const SCENARIOS = [
  // guest-datapath.ts (issue 16 §3/§6): tcp.via-vip against realservers in namespaces
  'datapath: the plain TCP check calls all three realservers up (their own addresses)',
  'datapath: direct routing with an IPVS director holding the VIP: up with the VIP on lo, down without',
  'datapath: IPIP: up through an ipip tunnel holding the VIP, down with the VIP on lo but no tunnel',
  // guest-blackhole.ts (issue 16 §6): netns client + 3 realservers, wlc, NAT; realserver 3 resets client connections
  'black hole: all three realservers pooled (realserver 3 passes its health check)',
  'black hole: ipvsadm -Ln shows the seed pattern: realserver 3 no active and many inactive, its peers active',
  "black hole: vipd's counters match ipvsadm -Ln (read just before and after vipd's own read)",
  'black hole: /alerts names realserver 3, and neither 1 nor 2, within 40 s of the first client connection',
  'black hole: blackhole-action = depool: realserver 3 leaves IPVS',
  'black hole: blackhole-action = depool: IPVS sends realserver 3 no new connection (2 s of traffic)',
  // guest-mh.ts (issue 17 §3): two director namespaces, the same 5-tuples reach the same realserver
  'mh: same pool listed in two orders: every 5-tuple reaches the same realserver through either director',
  'mh: control: the same servers added by hand in another order give another mapping (the kernel table follows the list order)',
  'mh: a server depooled and repooled on one director only: still the same mapping',
  'mh: depooled on both (in different orders): its flows move to the same realservers on both',
  'mh: repooled on both, a drain and undrain on one: the same mapping',
  // guest-scale-kill.ts (issue 13): 250 realservers, all killed at once, real ipvsadm
  'scale kill: 250 realservers up: every one checked up, all in the kernel (real ipvsadm), the VIP announced',
  'scale kill: every backend killed at once: VIP withdrawn within interval + timeout + 200 ms + 1000 ms (TCG)',
  'scale kill: IPVS keeps 125 of 250 (depool-threshold .5)',
];

t.test('site-level scenarios on a real kernel (QEMU guest)', (t) => runGuestSuite(t, {
  entry: 'test/lab/ipvs-vm/guest-site.ts',
  lazy: ['test/lab/ipvs-vm/guest-datapath.ts', 'test/lab/ipvs-vm/guest-blackhole.ts', 'test/lab/ipvs-vm/guest-mh.ts', 'test/lab/ipvs-vm/guest-backends.ts',
    'test/lab/ipvs-vm/guest-scale-kill.ts', 'test/lab/ipvs-vm/guest-daemon.ts',
    'test/lab/realserver-netns.ts', 'test/lab/netns.ts', 'test/lab/proc.ts'],
  scenarios: SCENARIOS,
  timeoutMs: 360_000,
  comment: (name) => name.startsWith('black hole:') || name.startsWith('mh:') || name.startsWith('datapath:') || name.startsWith('scale kill:'),
}));
