// One vipd of the fleet benchmark (issue 17 §5): `vipd run -n` from dist on loopback, its pool in
// etcd, every dry-run IPVS batch it logs timestamped on arrival, its /metrics and /proc readable.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchText } from './scale-run.js';
import { scaleConfigText } from './scale-nginx.js';

export interface FleetInstanceOptions {
  node: string; dir: string; index: number; apiPort: number;
  /** host:port of etcd's client endpoint, and the pool's prefix. */
  etcd: string; prefix: string;
  /** The service port (nginx's) and the check interval in seconds. */
  port: number; interval: number;
}

/** A dry-run batch as it reached the benchmark: when (Date.now()) and its ipvsadm -R text. */
export interface Batch { at: number; text: string }

export class FleetInstance {
  readonly batches: Batch[] = [];
  readonly exited: Promise<void>;
  private proc: ChildProcess;

  constructor(readonly o: FleetInstanceOptions) {
    const conf = join(o.dir, `fleet-${o.index}.conf`);
    writeFileSync(conf, scaleConfigText({
      name: 'fleet', apiPort: o.apiPort, port: o.port, pool: `etcd3://${o.etcd}${o.prefix.replace(/\/$/, '')}`,
      intervalS: o.interval, timeoutS: Math.min(0.5, o.interval / 2),
    }));
    const log = createWriteStream(join(o.dir, `fleet-${o.index}.log`));
    this.proc = spawn(o.node, ['dist/cli/main.js', 'run', '-n', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.proc.stdout!.on('data', (d: Buffer) => {
      const at = Date.now();
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.includes('"dry run: ipvsadm')) {
          try { this.batches.push({ at, text: String((JSON.parse(line) as { batch?: unknown }).batch ?? '') }); } catch { /* not JSON */ }
          log.write(`${line.slice(0, 300)}…\n`);
        } else log.write(`${line}\n`);
      }
    });
    this.proc.stderr!.pipe(log);
    this.exited = new Promise((r) => this.proc.once('exit', () => { log.end(); r(); }));
  }

  get pid(): number { return this.proc.pid!; }

  metrics(timeoutMs = 10_000): Promise<string> {
    return fetchText(this.o.apiPort, '/metrics', timeoutMs);
  }

  /** The first batch that reached us at or after `since` and mentions `needle`; null if none yet. */
  batchSince(since: number, needle: string): Batch | null {
    for (let i = this.batches.length - 1; i >= 0 && this.batches[i]!.at >= since; i--) {
      if (this.batches[i]!.text.includes(needle)) {
        let first = this.batches[i]!;
        for (let j = i - 1; j >= 0 && this.batches[j]!.at >= since; j--) if (this.batches[j]!.text.includes(needle)) first = this.batches[j]!;
        return first;
      }
    }
    return null;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}
