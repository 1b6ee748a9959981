import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInkRenderer } from '../../runtime/ui/ink.tsx';
import { oneRunStream, FakeStdout, stripAnsi } from './stream.ts';

const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));

test('ink: live panel shows bars, ETA, clips/s, lr and loss sparklines; finished epochs above', async () => {
  const stdout = new FakeStdout();
  let now = 0;
  const r = createInkRenderer({ stdout: stdout as unknown as NodeJS.WriteStream, now: () => now, debug: true });
  const ev = oneRunStream({ steps: 40, perEpoch: 10 });
  const mid = ev.findIndex((e) => e.type === 'step' && e.step === 25);
  for (const e of ev.slice(0, mid + 1)) { r.onEvent(e); if (e.type === 'step') now += 250; }
  await tick();
  const frame = stdout.last;
  assert.match(frame, /▶ quickstart · backend cpu · seed 7/);
  assert.match(frame, /step +[█▏▎▍▌▋▊▉░]+ 25\/40 62% · ETA 3\.8s · 12\.5 clips\/s · lr [\d.]+e-4/);
  assert.match(frame, /epoch [█▏▎▍▌▋▊▉░]+ 3\/4 \(5\/10\)/);
  for (const term of ['L', 'L_v', 'L_a']) assert.match(frame, new RegExp(`^ +${term} +\\d+\\.\\d{4} +[▁▂▃▄▅▆▇█]{20,}`, 'm'), term);
  // Finished epochs were written above the live area, once each.
  const text = stdout.text;
  assert.match(text, /epoch 1 · loss/);
  assert.match(text, /epoch 2 · loss/);
  assert.doesNotMatch(text, /epoch 3 · loss/);
  for (const e of ev.slice(mid + 1)) r.onEvent(e);
  await r.close();
  const all = stripAnsi(stdout.writes.join(''));
  assert.match(all, /probe synthetic_scene: top1 62\.5%/);
  assert.match(all, /✓ finished in 14s/);
  assert.match(all, /quickstart\s+│\s+62\.5/);
  assert.doesNotMatch(stdout.last, /ETA/, 'the live panel is gone when the run is done');
});

test('ink: a grid shows one state mark per cell and one panel per running cell', async () => {
  const stdout = new FakeStdout();
  const r = createInkRenderer({ stdout: stdout as unknown as NodeJS.WriteStream, now: () => 0, debug: true });
  r.onEvent({ type: 'program-start', file: 'grid.lssd', jobs: 2, cells: ['A', 'B', 'C'].map((n) => ({ name: n, label: n, runDir: `/r/${n}`, after: n === 'C' ? 'A' : null, hash: 'h', cached: n === 'B' })) });
  for (const e of oneRunStream({ name: 'A', run: 'A', steps: 4, perEpoch: 2 }).filter((e) => e.type === 'run-start' || (e.type === 'step' && e.step <= 2))) r.onEvent(e);
  r.onEvent({ type: 'cell-state', name: 'A', state: 'running', run: 'A' });
  await tick();
  const frame = stdout.last;
  assert.match(frame, /▶ A  · B  … C/);
  assert.match(frame, /step +\S+ 2\/4 50%/);
  assert.match(stdout.text, /grid\.lssd: 3 experiments \(1 already done\), 2 at a time/);
  await r.close();
});
