export * from './types.js';
export { transition, initialSession, OPEN_HOLD_MS, OPEN_HOLD_DEFAULT_MS, openHoldMs } from './transition.js';
export { buildOpen, negotiate, offeredCapabilities, capabilitiesOf, peerAsOf, unusablePeerAs, keepLocallyInitiated, AS_TRANS } from './negotiation.js';
export type { NegotiationResult } from './negotiation.js';
export * from './notifications.js';
export { sendHoldMs, SEND_HOLD_MIN_MS } from './send-hold.js';
