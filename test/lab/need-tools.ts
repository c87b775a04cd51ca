import { requireTool, type SkippableTest } from '../support/require-tool.js';

/** requireTool for several tools at once: true when all are present; otherwise the test was failed (CI) or skipped. */
export function needTools(t: SkippableTest, ...names: string[]): boolean {
  return names.every((n) => requireTool(t, n) !== null);
}
