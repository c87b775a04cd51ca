import t from 'tap';
import type { Capability, OpenMessage } from '../bgp/types.js';
import { CeaseSubcode, ErrorCode, GracefulRestart } from '../bgp/constants.js';
import { buildOpen, negotiate } from './negotiation.js';
import { adminReset, adminShutdown, readShutdownCommunication } from './notifications.js';
import { transition } from './transition.js';
import type { Effect, Session } from './types.js';
import { peerOpen, sessionIn } from '../../test/support/fsm-sessions.js';

// RFC 4724 graceful restart and RFC 8538's N bit: what our OPEN says, what both sides agreed,
// and what a planned restart and a full stop put on the wire.

const GR = { gracefulRestartTime: 120 };
const grCap = (flags: number): Capability => ({
  code: 64, name: 'graceful-restart', restartFlags: flags, restartTime: 90, families: [{ afi: 1, safi: 1, flags: 0 }],
});
function routerOpen(flags: number | null): OpenMessage {
  const base = peerOpen();
  const caps = (base.params[0] as { capabilities: Capability[] }).capabilities;
  return { ...base, params: [{ type: 2, capabilities: flags === null ? caps : [...caps, grCap(flags)] }] };
}
function established(cfg: object, router: OpenMessage): Session {
  const s = sessionIn('OpenSent', cfg);
  const n = negotiate(s, router);
  if (!n.ok) throw new Error(n.reason);
  return { ...s, state: 'Established', negotiated: n.value };
}
const grOf = (o: OpenMessage) => o.params.flatMap((p) => ('capabilities' in p ? p.capabilities : [])).find((c) => c.name === 'graceful-restart');
const sent = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));

t.test('our capability: N always, R only after a restart, F for every family, time capped at 4095', async (t) => {
  const fresh = grOf(buildOpen(sessionIn('Idle', { ...GR, families: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }] })));
  t.same(fresh, {
    code: 64, name: 'graceful-restart', restartFlags: GracefulRestart.NOTIFICATION, restartTime: 120,
    families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0x80 }],
  });
  const restarted = grOf(buildOpen({ ...sessionIn('Idle', { gracefulRestartTime: 9000 }), restarting: true }));
  t.equal(restarted?.name === 'graceful-restart' && restarted.restartFlags, GracefulRestart.RESTART_STATE | GracefulRestart.NOTIFICATION, 'R and N');
  t.equal(restarted?.name === 'graceful-restart' && restarted.restartTime, 4095);
  t.equal(grOf(buildOpen(sessionIn('Idle'))), undefined, 'off: no capability');
});

t.test('negotiated only when both sides send it; N only when both set it', async (t) => {
  const both = established(GR, routerOpen(GracefulRestart.NOTIFICATION)).negotiated!;
  t.ok(both.gracefulRestart && both.gracefulNotification);
  const noN = established(GR, routerOpen(0)).negotiated!;
  t.ok(noN.gracefulRestart && !noN.gracefulNotification, 'BIRD-like: GR without N');
  const routerOff = established(GR, routerOpen(null)).negotiated!;
  t.notOk(routerOff.gracefulRestart, 'the router does not do GR');
  const usOff = established({}, routerOpen(GracefulRestart.NOTIFICATION)).negotiated!;
  t.notOk(usOff.gracefulRestart || usOff.gracefulNotification, 'we do not offer it');
});

t.test('the R bit goes once the first session after the restart is Established', async (t) => {
  const s: Session = { ...sessionIn('OpenConfirm', GR), restarting: true };
  const r = transition(s, { type: 'Keepalive' });
  t.equal(r.session.state, 'Established');
  t.equal(r.session.restarting, false);
  const again = grOf(buildOpen(r.session));
  t.equal(again?.name === 'graceful-restart' && again.restartFlags, GracefulRestart.NOTIFICATION, 'a later OPEN has N only');
});

t.test('planned restart without N (RFC 4724 §4.2): no NOTIFICATION, the connection closes', async (t) => {
  const r = transition(established(GR, routerOpen(0)), { type: 'ManualStop', graceful: true, notification: adminReset('restart') });
  t.same(sent(r.effects), [], 'nothing sent');
  t.ok(r.effects.some((e) => e.type === 'close'));
  t.equal(r.session.state, 'Idle');
  t.ok(r.session.stopped, 'no automatic restart');
});

t.test('planned restart with N (RFC 8538 §4): the Cease given, never a Hard Reset', async (t) => {
  const r = transition(established(GR, routerOpen(GracefulRestart.NOTIFICATION)), { type: 'ManualStop', graceful: true, notification: adminReset('vipd restarting') });
  const [n] = sent(r.effects);
  t.match(n, { type: 'NOTIFICATION', code: ErrorCode.CEASE, subcode: CeaseSubcode.ADMINISTRATIVE_RESET });
  t.equal(n?.type === 'NOTIFICATION' && readShutdownCommunication(n), 'vipd restarting');
});

t.test('full stop with N (RFC 8538 §5): Cease 6/2 inside a Hard Reset; without N: Cease 6/2', async (t) => {
  const r = transition(established(GR, routerOpen(GracefulRestart.NOTIFICATION)), { type: 'ManualStop', notification: adminShutdown('bye') });
  const [n] = sent(r.effects);
  t.match(n, { type: 'NOTIFICATION', code: 6, subcode: CeaseSubcode.HARD_RESET });
  t.same(n?.type === 'NOTIFICATION' ? [...n.data.slice(0, 3)] : [], [6, 2, 3], 'code 6, subcode 2, then the RFC 9003 length');
  const plain = transition(established(GR, routerOpen(0)), { type: 'ManualStop', notification: adminShutdown('bye') });
  t.match(sent(plain.effects)[0], { code: 6, subcode: 2 });
  const off = transition(established({}, routerOpen(0)), { type: 'ManualStop', graceful: true });
  t.match(sent(off.effects)[0], { code: 6, subcode: 2 }, 'graceful restart not configured: a planned restart is a full stop');
});
