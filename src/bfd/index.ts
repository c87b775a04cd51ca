export { BfdManager, type BfdChange, type BfdPeer, type BfdPeerStatus } from './manager.js';
export { BFD_STATES, BFD_DIAGS, bfdDiagName, decodeControl, encodeControl, flagsOctet, type BfdControl, type BfdState } from './codec.js';
export { isBfdNative, type BfdNative, type BfdNativeStatus } from './native.js';
