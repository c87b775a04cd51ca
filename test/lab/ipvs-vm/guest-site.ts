// Runs INSIDE the IPVS guest (see site-kernel.test.ts): the site-level real-kernel scenarios,
// each in network namespaces of its own, in a boot of their own (the core scenarios' boot would pass
// the guest's deadline with them). Usage: node guest-site.js RESULTS.json
import { finish, runModules } from './guest-run.js';

await runModules([
  // Issue 16 §3/§6: health checks through the data path (direct routing and IPIP) on a real director.
  ['./guest-datapath.js', 'datapathScenario', 'datapath: scenario'],
  // Issue 16 §6: the seed's black-holed realserver (client, director, three realservers).
  ['./guest-blackhole.js', 'blackholeScenario', 'black hole: setup'],
  // Issue 17 §3: consistent hashing across two director namespaces.
  ['./guest-mh.js', 'mhScenario', 'mh: scenario'],
  // Issue 13: every backend of a 250-server pool killed at once, the real ipvsadm driver.
  ['./guest-scale-kill.js', 'scaleKillScenario', 'scale kill: scenario'],
]);
finish(process.argv[2]!);
