import t from 'tap';
import { classifyLine, ipvsadmError } from './errors.js';

// stderr texts of ipvsadm 1.31 on Linux 6.1, from ../shared/lab/ipvs-vm/probe-output.txt
t.test('ipvsadm error texts map to kinds', async (t) => {
  const cases: [string, string][] = [
    ['No such destination', 'no-such-destination'],
    ['Service not defined', 'no-such-service'],
    ['No such service', 'no-such-service'],
    ['Service already exists', 'service-exists'],
    ['Destination already exists', 'destination-exists'],
    ['Scheduler or persistence engine not found', 'bad-scheduler'],
    ['illegal weight specified', 'invalid-argument'],
    ['Zero port specified for non-persistent service', 'invalid-argument'],
    ["invalid timeout value `0' specified", 'invalid-argument'],
    ['Numerical result out of range', 'out-of-range'],
    ["Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 'usage'],
    ["Can't initialize ipvs: Protocol not available", 'no-ipvs'],
    ['something new', 'unknown'],
  ];
  for (const [text, kind] of cases) t.equal(classifyLine(text), kind, text);
});

t.test('a batch error keeps every line and takes the first known kind', async (t) => {
  const e = ipvsadmError('ipvsadm -R', 'Service already exists\nNo such destination\n', 0, '-A ...\n');
  t.equal(e.kind, 'service-exists');
  t.same(e.problems.map((p) => p.kind), ['service-exists', 'no-such-destination']);
  t.equal(e.message, 'ipvsadm -R failed: Service already exists; No such destination');
  t.equal(e.details.batch, '-A ...\n');
  const noIpvs = ipvsadmError('ipvsadm -Sn', 'modprobe: FATAL: Module ip_vs not found in directory /lib/modules/6.1.0\n'
    + "Can't initialize ipvs: Protocol not available\nAre you sure that IP Virtual Server is built in the kernel or as module?\n", 2);
  t.equal(noIpvs.kind, 'no-ipvs');
  t.equal(ipvsadmError('ipvsadm -Sn', '', 3).message, 'ipvsadm -Sn failed: exit status 3');
});
