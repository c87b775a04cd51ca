import { GLOBAL_KEYS, PEER_SECTION, readGlobal } from './global.js';
import { parseIni, type IniResult } from './ini.js';
import type { ConfigIssue } from './issues.js';
import type { IssueSink } from './section-reader.js';
import { readService } from './service.js';
import type { ConfigResult, ServiceConfig, VipdConfig } from './types.js';

/** Text of a pybal.conf → typed config, or every error located as file:line. Pure. */
export function parseConfig(text: string, fileName: string): ConfigResult {
  return validateConfig(parseIni(text, fileName), fileName);
}

export function validateConfig(ini: IniResult, file: string): ConfigResult {
  const sink: IssueSink = { errors: [...ini.errors], warnings: [...ini.warnings] };
  const globalSection = ini.sections.find((s) => s.name === 'global');
  const peerSections = ini.sections.filter((s) => PEER_SECTION.test(s.name));
  const global = readGlobal(globalSection, peerSections, file, sink);
  const services: ServiceConfig[] = [];
  for (const s of ini.sections) {
    if (s === globalSection || peerSections.includes(s)) continue;
    const svc = readService(s, global, file, sink, (k) => GLOBAL_KEYS.includes(k));
    if (svc) services.push(svc);
  }
  crossCheck(global, services, file, sink, ini);
  const config: VipdConfig = { file, global, services };
  sortIssues(sink.errors);
  sortIssues(sink.warnings);
  return sink.errors.length ? { ok: false, errors: sink.errors, warnings: sink.warnings } : { ok: true, config, warnings: sink.warnings };
}

function crossCheck(g: VipdConfig['global'], services: ServiceConfig[], file: string, sink: IssueSink, ini: IniResult): void {
  const lineOf = (svc: ServiceConfig, key: string): number =>
    ini.sections.find((s) => s.name === svc.name)?.entries.get(key)?.line ?? svc.line;
  const medByIp = new Map<string, ServiceConfig>();
  const byTriple = new Map<string, ServiceConfig>();
  for (const svc of services) {
    const triple = `${svc.protocol} ${svc.ip} ${svc.port}`;
    const dup = byTriple.get(triple);
    if (dup) sink.errors.push({ file, line: lineOf(svc, 'ip'), message: `[${svc.name}] ${svc.protocol} ${svc.ip} port ${svc.port} is already service [${dup.name}] (line ${dup.line})` });
    else byTriple.set(triple, svc);
    if (!g.bgp || !svc.bgp) continue;
    const hop = svc.family === 4 ? g.bgpNexthopIpv4 : g.bgpNexthopIpv6;
    if (!hop) {
      sink.errors.push({ file, line: lineOf(svc, 'ip'), message: `[${svc.name}] VIP ${svc.ip} is IPv${svc.family} and announced by BGP, but [global] bgp-nexthop-ipv${svc.family} is not set` });
    }
    const other = medByIp.get(svc.ip);
    if (other && other.bgpMed !== svc.bgpMed) {
      sink.errors.push({ file, line: lineOf(svc, 'bgp-med'), message: `[${svc.name}] bgp-med ${svc.bgpMed} differs from bgp-med ${other.bgpMed} of [${other.name}] (line ${other.line}) for the same VIP ${svc.ip}` });
    } else if (!other) medByIp.set(svc.ip, svc);
  }
}

function sortIssues(list: ConfigIssue[]): void {
  list.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
}
