import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { inNetns, sleep, startDaemon, waitFor } from './proc.js';

export interface CaptureOptions {
  /** Interface to listen on, e.g. 'lo' or a veth name. */
  iface: string;
  /** Run tcpdump inside this namespace. */
  netns?: string;
  /** A pcap filter, e.g. 'tcp port 179 and host 127.3.4.2'. */
  filter: string;
  /** The pcap file to write. */
  file: string;
  /** Nanosecond timestamps (pcap magic 0xa1b23c4d). */
  nano?: boolean;
}

export interface Capture { stop(): Promise<void>; file: string }

/** tcpdump writing packets as they arrive (-U); `stop()` ends it by pid so it flushes and closes the file. */
export async function startCapture(o: CaptureOptions): Promise<Capture> {
  const [cmd, argv] = inNetns(o.netns, 'tcpdump', ['-i', o.iface, '--immediate-mode', '-U', '-s', '0',
    ...(o.nano ? ['--time-stamp-precision=nano'] : []), '-w', o.file, '-Z', 'root', o.filter]);
  const d = startDaemon(cmd, argv, join(tmpdir(), `vipd-tcpdump-${process.pid}.log`));
  // tcpdump writes the file header once it listens; packets before that would be missed.
  await waitFor(`tcpdump on ${o.iface} to start`, 5_000, async () => {
    if (d.exited()) throw new Error('tcpdump exited');
    try { return statSync(o.file).size >= 24; } catch { return false; }
  }, 20);
  return {
    file: o.file,
    async stop() {
      await sleep(100); // let the last segments reach the socket
      await d.stop();
    },
  };
}
