export { Speaker, GRACEFUL_SHUTDOWN, checkSpeaker } from './speaker.js';
export type { StopOptions, SpeakerControl } from './speaker.js';
export type { Route, FamilyName } from './routes.js';
export { checkRoutes, canonicalPrefix } from './routes.js';
export type { PeerConfig, SpeakerConfig, SpeakerEvent, PeerStatus, SpeakerStatus, NotificationRecord } from './types.js';
export { checkPeer } from './check-config.js';
export type { SecureSocketPort } from './secure-socket.js';
