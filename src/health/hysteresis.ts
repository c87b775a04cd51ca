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

type Step = { readonly next: Readonly<Hysteresis>; readonly changed: boolean };

/** The outcomes with no streak under way, shared (one per result otherwise: 10,000 a second at 10,000 servers). */
const AT_REST: readonly Step[] = [false, true].flatMap((up) => [false, true].map((changed) => Object.freeze({ next: Object.freeze({ up, streak: 0 }), changed })));
const atRest = (up: boolean, changed: boolean): Step => AT_REST[(up ? 2 : 0) + (changed ? 1 : 0)]!;

export function applyResult(h: Hysteresis, up: boolean, limits: { rise: number; fall: number }): Step {
  if (h.up === null) return atRest(up, true);
  if (h.up === up) return atRest(up, false);
  const streak = h.streak + 1;
  const needed = up ? limits.rise : limits.fall;
  if (streak >= needed) return atRest(up, true);
  return { next: { up: h.up, streak }, changed: false };
}
