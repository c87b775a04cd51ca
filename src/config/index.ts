export * from './types.js';
export { formatIssue, type ConfigIssue } from './issues.js';
export { parseConfig, validateConfig } from './schema.js';
export { loadConfig } from './load.js';
export { printConfig } from './print.js';
export { parseIni, type IniResult, type IniSection, type IniEntry } from './ini.js';
export { parsePythonLiteral, pyRepr, type PyValue, type LiteralResult } from './python-literal.js';
export { communityText } from './global.js';
export { optionFromText, toMonitorValue } from './monitor-values.js';
