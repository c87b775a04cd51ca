/**
 * Rise/fall hysteresis, pure: a monitor changes state only after `rise` consecutive good results
 * (down → up) or `fall` consecutive bad ones (up → down). The very first result sets the state
 * at once, as PyBal reports its first check whatever it is.
 */
export interface Hysteresis {
  /** null until the first result. */
  up: boolean | null;
  /** Consecutive results that disagree with `up`. */
  streak: number;
}

export const initialHysteresis: Hysteresis = { up: null, streak: 0 };

export function applyResult(
  h: Hysteresis,
  up: boolean,
  limits: { rise: number; fall: number },
): { next: Hysteresis; changed: boolean } {
  if (h.up === null) return { next: { up, streak: 0 }, changed: true };
  if (h.up === up) return { next: { up, streak: 0 }, changed: false };
  const streak = h.streak + 1;
  const needed = up ? limits.rise : limits.fall;
  if (streak >= needed) return { next: { up, streak: 0 }, changed: true };
  return { next: { up: h.up, streak }, changed: false };
}
