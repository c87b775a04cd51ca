import { requireTool } from '../support/require-tool.js';

interface TapLike { fail(message: string): unknown; comment(message: string): unknown; skip(...args: never[]): unknown }

/**
 * requireTool for several tools at once, typed for tap's Test (whose overloaded `skip` the support helper's
 * interface does not accept). True when all are present; otherwise the test was failed (CI) or skipped.
 */
export function needTools(t: TapLike, ...names: string[]): boolean {
  const gate = {
    fail: (m: string) => { t.fail(m); },
    skip: (m: string) => { (t.skip as unknown as (m: string) => void)(m); },
    comment: (m: string) => { t.comment(m); },
  };
  return names.every((n) => requireTool(gate, n) !== null);
}
