import t from 'tap';
import type { NativeAddon } from '../monitors/native-addon.js';
import { CAP_NET_RAW, dataPathUnavailable, effectiveCaps, hasCap } from './privilege.js';

const status = (capEff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;
const withDp = { dpStart: () => 0, dpStop: () => 0 } as unknown as NativeAddon;
const env = (capEff: string | null, addon: NativeAddon | null = withDp) => ({
  status: () => { if (capEff === null) throw new Error('ENOENT'); return status(capEff); }, addon: () => addon, addonWhy: () => 'not built (npm run build:native)',
});

t.test('CapEff parsed; CAP_NET_RAW is bit 13', async (t) => {
  t.equal(effectiveCaps(status('000001ffffffffff')), 0x1ffffffffffn);
  t.equal(effectiveCaps('Name: x\n'), null);
  t.ok(hasCap(0x2000n, CAP_NET_RAW));
  t.notOk(hasCap(0x1ffffffffffn & ~0x2000n, CAP_NET_RAW));
});

t.test('the reasons name the option and what is missing; null when it can work', async (t) => {
  t.equal(dataPathUnavailable('tcp.via-vip', env('000001ffffffffff')), null, 'root with every capability');
  t.equal(dataPathUnavailable('tcp.via-vip', env('0000000000002000')), null, 'CAP_NET_RAW alone is enough');
  t.match(dataPathUnavailable('tcp.via-vip', env('000001ffffffdfff')), /^tcp\.via-vip needs CAP_NET_RAW: this process lacks it \(effective capabilities 0x1ffffffdfff\)/);
  t.match(dataPathUnavailable('tcp.via-vip', env('0')), /needs CAP_NET_RAW/);
  t.match(dataPathUnavailable('tcp.via-vip', env('000001ffffffffff', null)), /^tcp\.via-vip needs the native addon with data-path support: not built/);
  t.match(dataPathUnavailable('tcp.via-vip', env('000001ffffffffff', {} as NativeAddon)), /this build has none/);
  t.equal(dataPathUnavailable('tcp.via-vip', env(null)), null, 'no /proc: left to the send (no verdict, an alert)');
});
