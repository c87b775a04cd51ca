import t from 'tap';
import { FakeClock } from '../../test/support/fake-clock.js';
import { BlackholeHolds } from './blackhole-holds.js';

const W = 5_000;
const none = new Set<string>();
const kernel = (...hosts: string[]) => new Set(hosts);

function rig() {
  const clock = new FakeClock();
  return { clock, holds: new BlackholeHolds(clock) };
}

t.test('a flag holds once; a server kept in IPVS comes back when the pattern clears, not before', async (t) => {
  const { clock, holds } = rig();
  const h = holds.flag('web', 'rs3', W);
  t.same(h && { strikes: h.strikes, releaseAt: h.releaseAt }, { strikes: 1, releaseAt: W });
  t.equal(holds.flag('web', 'rs3', W), null, 'held already: no second depool');
  clock.advance(60_000);
  t.same(holds.settle('web', kernel('rs1', 'rs3'), kernel('rs3')), [], 'still flagged: held however long');
  t.same(holds.settle('other', kernel(), none), [], 'another service: nothing');
  t.same(holds.settle('web', kernel('rs1', 'rs3'), none), ['rs3'], 'the pattern cleared');
  t.equal(holds.hold('web', 'rs3'), null);
});

t.test('a server gone from IPVS comes back after one window, then 2, 4, 8 windows (capped) while it keeps being flagged', async (t) => {
  const { clock, holds } = rig();
  const holdsMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const h = holds.flag('web', 'rs3', W)!;
    holdsMs.push(h.releaseAt - clock.now());
    clock.advance(h.releaseAt - clock.now() - 1);
    t.same(holds.settle('web', kernel('rs1'), none), [], 'not before its release');
    clock.advance(1);
    t.same(holds.settle('web', kernel('rs1'), none), ['rs3'], `let back after ${holdsMs[i]} ms`);
    clock.advance(W); // pooled one window: the rule flags it again
  }
  t.same(holdsMs, [W, 2 * W, 4 * W, 8 * W, 8 * W]);
});

t.test('4 quiet windows after a release reset the doubling; a flag sooner counts as a strike more', async (t) => {
  const { clock, holds } = rig();
  holds.flag('web', 'rs3', W); clock.advance(W);
  t.same(holds.settle('web', kernel(), none), ['rs3']);
  clock.advance(4 * W - 1);
  t.equal(holds.flag('web', 'rs3', W)!.strikes, 2, 'just within 4 windows');
  clock.advance(2 * W);
  t.same(holds.settle('web', kernel(), none), ['rs3']);
  clock.advance(4 * W);
  const h = holds.flag('web', 'rs3', W)!;
  t.same([h.strikes, h.releaseAt - clock.now()], [1, W], 'after 4 quiet windows: one window again');
});

t.test('holds are per service and server; a service a reload removed loses its holds and its memory', async (t) => {
  const { clock, holds } = rig();
  t.ok(holds.flag('web', 'rs3', W));
  t.ok(holds.flag('api', 'rs3', W), 'same host in another service: its own hold');
  holds.retain(new Set(['api']));
  t.equal(holds.hold('web', 'rs3'), null);
  t.ok(holds.hold('api', 'rs3'));
  clock.advance(W);
  t.same(holds.settle('api', kernel(), none), ['rs3']);
  holds.retain(new Set(['web']));
  t.equal(holds.flag('api', 'rs3', W)!.strikes, 1, 'the removed service forgot its strikes');
});
