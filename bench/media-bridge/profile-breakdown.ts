import { readFileSync } from 'node:fs';

// Where a relay's CPU goes during the benchmark window, from a V8 CPU profile: self time grouped
// by layer. "(idle)" is excluded; kernel time of syscalls shows inside the native write/read frames.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

const LAYERS: Array<[string, (fn: string, url: string) => boolean]> = [
  ['garbage collection', (fn) => fn === '(garbage collector)'],
  [
    'socket write (native, incl. kernel)',
    (fn, url) => url === '' && /^(writeBuffer|writev|writeUtf8String|writeLatin1String|writeString|writeAsciiString)$/.test(fn),
  ],
  ['socket read + event loop (native)', (fn, url) => url === '' && /^\(program\)$/.test(fn)],
  [
    'Node streams / net / events',
    (_fn, url) =>
      /^node:(internal\/streams|net|events|internal\/stream_base_commons|buffer|internal\/buffer|internal\/process\/task_queues|internal\/timers|timers)/.test(
        url,
      ),
  ],
  ['ws library (frames, receiver, sender)', (_fn, url) => /node_modules\/ws\//.test(url)],
  ['relay code (JSON / frame scan and build)', (_fn, url) => /media-bridge\/(session|protocol)|plain-relay\.process/.test(url)],
  ['native (JSON, crypto, other)', (_fn, url) => url === ''],
];

export function profileBreakdown(file: string): Array<{ layer: string; ms: number; share: number }> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>();
  let active = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const { functionName: fn, url } = node.callFrame;
    if (fn === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    active += dt;
    const layer = LAYERS.find(([, match]) => match(fn, url))?.[0] ?? 'other JavaScript';
    totals.set(layer, (totals.get(layer) ?? 0) + dt);
  });
  return [...totals.entries()].map(([layer, us]) => ({ layer, ms: us / 1000, share: us / active })).sort((a, b) => b.ms - a.ms);
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) {
    console.log(file);
    for (const row of profileBreakdown(file)) console.log(`  ${(row.share * 100).toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.layer}`);
  }
}
