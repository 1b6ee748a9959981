// Language server latency, over stdio as an editor sees it: `lssdc lsp` as a child process, a real
// client (vscode-languageserver-protocol), experiments/A4.lssd (which extends A2 → A1 → paper_main and
// imports the stdlib) and the tiny grid opened, then N edits one after another. Reports, per file, the
// server's incremental re-check time (compileFile on the changed text; the server's own clock) and the
// client-observed time from sending the edit to receiving its diagnostics (debounce set to 0).
//   node --import tsx bench/lsp.ts [N]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startClient, repoRoot, uriOf } from '../test/lsp/client.ts';
import { M } from '../compiler/messages.ts';

const N = Number(process.argv[2] ?? 40);
const quantile = (xs: number[], q: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(q * s.length))]; };
const c = await startClient({ debounceMs: 0 });
for (const rel of ['experiments/A4.lssd', 'experiments/tiny/grid.lssd']) {
  const uri = uriOf(rel);
  const text = readFileSync(join(repoRoot, rel), 'utf8');
  c.open(uri, text);
  await c.diagnostics(uri);
  const wall: number[] = [];
  for (let i = 0; i < N; i++) {
    // Alternate a real error and its fix, so every edit changes the diagnostics the client waits for.
    const broken = i % 2 === 0;
    const t0 = performance.now();
    c.change(uri, broken ? `${text}\nexperiment bench_${i} extends nothing_${i} { }\n` : text);
    await c.diagnostics(uri, (ds) => broken ? ds.some((d) => d.code === M.unknownName.code) : ds.every((d) => d.code !== M.unknownName.code));
    wall.push(performance.now() - t0);
  }
  const times = (await c.conn.sendRequest('lssd/checkTimes')) as { file: string; ms: number }[];
  const server = times.filter((t) => t.file === rel).slice(-N).map((t) => t.ms);
  console.log(`${rel}: ${N} edits; server re-check median ${quantile(server, 0.5).toFixed(1)} ms, p90 ${quantile(server, 0.9).toFixed(1)} ms; ` +
    `edit → diagnostics median ${quantile(wall, 0.5).toFixed(1)} ms, p90 ${quantile(wall, 0.9).toFixed(1)} ms`);
}
await c.close();
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
