#!/usr/bin/env node
// Flood client for test/reliability/api-flood.test.ts, run as its own process so the flood does
// not share an event loop with the test: ROUNDS rounds of N concurrent raw-socket requests to
// http://HOST:PORT/PATH from source address FROM. Prints one JSON line per round:
// { round, answered: { status or 'closed' (no answer): count }, ms }.
// Usage: node api-flood-client.mjs HOST PORT FROM N ROUNDS [PATH]
import { connect } from 'node:net';

const [host, portText, from, nText, roundsText, path = '/metrics'] = process.argv.slice(2);
const port = Number(portText);
const n = Math.min(Number(nText), 15_000);
const rounds = Math.min(Number(roundsText), 20);
const ROUND_TIMEOUT_MS = 15_000;
const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${host}\r\nconnection: close\r\n\r\n`);

function one() {
  return new Promise((resolve) => {
    let first = null;
    const s = connect({ host, port, localAddress: from });
    const timer = setTimeout(() => s.destroy(), ROUND_TIMEOUT_MS);
    s.on('connect', () => s.write(request));
    s.on('data', (c) => { if (first === null) first = c.subarray(0, 12).toString('latin1'); });
    s.on('error', (e) => { first ??= `error ${e.code}`; });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(first === null ? 'closed' : first.startsWith('HTTP/1.1 ') ? first.slice(9, 12) : first);
    });
  });
}

for (let round = 1; round <= rounds; round++) {
  const started = Date.now();
  // Launched in waves of 500 a few ms apart (all in flight together): 10,000 SYNs in the same
  // instant overflow the kernel's accept queue and the client measures SYN retransmits, not vipd.
  const pending = [];
  for (let i = 0; i < n; i += 500) {
    for (let j = i; j < Math.min(n, i + 500); j++) pending.push(one());
    await new Promise((r) => setTimeout(r, 5));
  }
  const results = await Promise.all(pending);
  const answered = {};
  for (const r of results) answered[r] = (answered[r] ?? 0) + 1;
  process.stdout.write(JSON.stringify({ round, answered, ms: Date.now() - started }) + '\n');
}
