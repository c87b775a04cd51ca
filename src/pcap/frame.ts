/** One captured link-layer frame: when, on which link type, and its bytes. */
export interface Frame {
  /** 1-based frame number, as tshark counts them. */
  index: number;
  /** Seconds since the epoch, fractional. */
  ts: number;
  linkType: number;
  data: Uint8Array;
}

/** Seconds from an integer timestamp in `unitsPerSecond` units, without losing precision to 2^53. */
export function toSeconds(units: bigint, unitsPerSecond: bigint): number {
  return Number(units / unitsPerSecond) + Number(units % unitsPerSecond) / Number(unitsPerSecond);
}
