/** The pure BGP-4 wire codec: decode, encode, frame, pack, name. No sockets, no timers, no logging. */
export * from './types.js';
export * from './constants.js';
export { decodeError } from './errors.js';
export { hex, fromHex } from './bytes.js';
export * from './names.js';
export { Framer, type FramerOutput } from './framer.js';
export { decodeMessage, encodeMessage, buildKeepalive, buildRouteRefresh } from './message.js';
export { openCapabilities, effectiveAs, buildOpen, checkOpen, unsupportedCapability } from './open.js';
export { isEndOfRib, endOfRib } from './update.js';
export { packUpdates, packUpdateMessages, type PackInput } from './pack.js';
export { mergeAs4Path, pathLength } from './as-path.js';
export {
  buildNotification, notificationFor, decodeShutdownCommunication, encodeShutdownCommunication, buildShutdown,
  MAX_SHUTDOWN_COMMUNICATION,
} from './notification.js';
export { negotiate } from './negotiate.js';
