import { readFile } from 'node:fs/promises';
import type { CommandModule } from 'yargs';
import { readBgpCapture } from '../../pcap/index.js';
import { decodeCapture } from '../decode/decode-capture.js';
import { recordToJson } from '../decode/to-json.js';
import { jsonToText } from '../decode/to-text.js';

interface DecodeArgs { json: boolean; files: string[] }

/** `vipd decode [--json] FILE...`: every BGP message in pcap/pcapng captures. */
export const decodeCommand: CommandModule<object, DecodeArgs> = {
  command: 'decode <files..>',
  describe: 'decode the BGP messages in pcap / pcapng captures',
  builder: (y) => y
    .positional('files', { type: 'string', array: true, demandOption: true, describe: 'capture files' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line' }) as never,
  handler: async (args) => {
    process.exitCode = await decodeFiles(args.files, args.json, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  },
};

/** Decodes each file in turn; 0 when all were read, 2 when any could not be (with a message saying why). */
export async function decodeFiles(files: string[], json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let status = 0;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      err(`vipd decode: ${file}: cannot read: ${code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}\n`);
      status = 2;
      continue;
    }
    const capture = readBgpCapture(bytes);
    if (!capture.ok) {
      err(`vipd decode: ${file}: ${capture.error.message}\n`);
      status = 2;
      continue;
    }
    const { messages, stats } = capture.value;
    if (messages.length === 0) {
      err(`vipd decode: ${file}: no BGP messages in ${stats.frames} frames (${stats.tcpSegments} TCP segments)\n`);
    }
    const chunks: string[] = json || files.length === 1 ? [] : [`==> ${file} <==\n\n`];
    let index = 0;
    for (const rec of decodeCapture(messages)) {
      const o = recordToJson(rec);
      chunks.push(json ? `${JSON.stringify(o)}\n` : `${jsonToText(o, ++index)}\n\n`);
    }
    out(chunks.join(''));
  }
  return status;
}
