import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inNetns, readLog, startDaemon, type Daemon } from './proc.js';

export interface ExaBgpOptions {
  routerIp: string;
  speakerIp: string;
  routerAs?: number;
  speakerAs?: number;
  v6?: boolean;
  /** Port ExaBGP connects to (the router's); default 179. */
  port?: number;
  netns?: string;
  holdTime?: number;
  /** ExaBGP 4.2.21 drops its session on any ROUTE-REFRESH it receives when this is on. */
  routeRefresh?: boolean;
}

/** ExaBGP as a stand-in speaker; routes are sent with `send('announce route ...')`. */
export interface ExaBgp {
  send(command: string): Promise<void>;
  stop(): Promise<void>;
  log(): string;
  dir: string;
}

/** Python helper: copies each line of the command file ExaBGP's API reads onto stdout, as ExaBGP expects. */
const RELAY = `import os, sys, time
path = sys.argv[1]
seen = 0
while True:
    try:
        with open(path) as f:
            lines = f.read().split("\\n")
    except FileNotFoundError:
        lines = []
    done = [l for l in lines[:-1]]
    for line in done[seen:]:
        if line.strip():
            sys.stdout.write(line.strip() + "\\n"); sys.stdout.flush()
    seen = max(seen, len(done))
    time.sleep(0.01)
`;

export async function startExaBgp(opts: ExaBgpOptions): Promise<ExaBgp> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-lab-exabgp-'));
  const cmdFile = `${dir}/commands`;
  writeFileSync(cmdFile, '');
  writeFileSync(`${dir}/relay.py`, RELAY);
  const families = opts.v6 ? 'ipv4 unicast; ipv6 unicast;' : 'ipv4 unicast;';
  writeFileSync(`${dir}/exabgp.conf`, [
    'process ctl {',
    `  run /usr/bin/python3 ${dir}/relay.py ${cmdFile};`,
    '  encoder text;',
    '}',
    `neighbor ${opts.routerIp} {`,
    `  router-id ${opts.speakerIp.includes(':') ? '10.255.255.253' : opts.speakerIp};`,
    `  local-address ${opts.speakerIp};`,
    `  local-as ${opts.speakerAs ?? 64600};`,
    `  peer-as ${opts.routerAs ?? 64601};`,
    `  hold-time ${opts.holdTime ?? 30};`,
    `  family { ${families} }`,
    opts.routeRefresh ? '  capability { route-refresh; }' : '',
    '  api { processes [ ctl ]; }',
    '}',
    '',
  ].join('\n'));
  const env = {
    'exabgp.api.ack': 'false', 'exabgp.api.cli': 'false', 'exabgp.daemon.daemonize': 'false',
    'exabgp.daemon.drop': 'false', 'exabgp.daemon.user': 'root', 'exabgp.daemon.pid': '',
    'exabgp.log.destination': 'stdout', 'exabgp.log.level': 'INFO', 'exabgp.tcp.port': String(opts.port ?? 179),
    'exabgp.tcp.bind': '',
  };
  writeFileSync(`${dir}/exabgp.env`, envFile(env));
  const [cmd, argv] = inNetns(opts.netns, '/usr/sbin/exabgp', ['--env', `${dir}/exabgp.env`, `${dir}/exabgp.conf`]);
  const daemon: Daemon = startDaemon(cmd, argv, `${dir}/exabgp.log`, env);
  let lines = '';
  return {
    dir,
    async send(command) {
      lines += `${command}\n`;
      writeFileSync(cmdFile, lines);
    },
    async stop() {
      await daemon.stop();
      if (!process.env.VIPD_LAB_KEEP) rmSync(dir, { recursive: true, force: true });
    },
    log: () => readLog(`${dir}/exabgp.log`),
  };
}

/** ExaBGP's env file is an ini file: `exabgp.api.ack` goes in section [exabgp.api] as `ack`. */
function envFile(env: Record<string, string>): string {
  const sections = new Map<string, string[]>();
  for (const [key, value] of Object.entries(env)) {
    const i = key.lastIndexOf('.');
    const lines = sections.get(key.slice(0, i)) ?? [];
    lines.push(`${key.slice(i + 1)} = ${value === '' ? "''" : value}`);
    sections.set(key.slice(0, i), lines);
  }
  return [...sections].map(([s, lines]) => `[${s}]\n${lines.join('\n')}\n`).join('\n');
}
