import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reduce, initialState, eta, liveRuns } from '../../runtime/ui/state.ts';
import { createPlainRenderer } from '../../runtime/ui/plain.ts';
import { createJsonRenderer } from '../../runtime/ui/json.ts';
import { chooseMode } from '../../runtime/ui/index.ts';
import { oneRunStream } from './stream.ts';

const sink = () => { const lines: string[] = []; return { lines, write(s: string) { lines.push(...s.replace(/\n$/, '').split('\n')); } }; };

test('state: a run\'s stream folds into progress, loss history and finished lines', () => {
  const ev = oneRunStream({ steps: 40, perEpoch: 10 });
  let s = initialState();
  let t = 0;
  // Stop mid-run: step 20 of 40, one step per 500 ms.
  const mid = ev.findIndex((e) => e.type === 'step' && e.step === 20);
  for (const e of ev.slice(0, mid + 1)) { s = reduce(s, e, t); if (e.type === 'step') t += 500; }
  const r = s.runs.quickstart;
  assert.equal(r.step, 20);
  assert.equal(r.totalSteps, 40);
  assert.equal(r.backend, 'cpu');
  assert.equal(r.history.L.length, 20);
  assert.ok(r.history.L[0] > r.history.L[19], 'loss history is in order (falls)');
  // 19 step intervals in 9.5 s → 0.5 s/step; 20 steps left → 10 s.
  assert.equal(eta(r), 10);
  assert.deepEqual(liveRuns(s).map((x) => x.name), ['quickstart']);
  assert.deepEqual(s.finished.filter((f) => f.kind === 'epoch-end').map((f) => f.text.split(' ·')[0]), ['epoch 1']);
  for (const e of ev.slice(mid + 1)) s = reduce(s, e, t);
  assert.equal(liveRuns(s).length, 0, 'a finished run leaves the live area');
  assert.equal(s.finished.filter((f) => f.kind === 'epoch-end').length, 4);
  assert.ok(s.results);
});

test('state: events tagged with different runs are kept apart (merged parallel cells)', () => {
  const a = oneRunStream({ name: 'A', run: 'A', steps: 6, perEpoch: 3 }).filter((e) => e.type === 'step' || e.type === 'run-start');
  const b = oneRunStream({ name: 'B', run: 'B', steps: 6, perEpoch: 3 }).filter((e) => e.type === 'step' || e.type === 'run-start');
  let s = initialState();
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i]) s = reduce(s, a[i], i);
    if (b[i] && i < 4) s = reduce(s, b[i], i);
  }
  assert.equal(s.runs.A.step, 6);
  assert.equal(s.runs.B.step, 3);
  assert.deepEqual(s.order, ['A', 'B']);
});

test('plain renderer: one line per finished event, ~20 step lines per run, diagnostics on stderr', () => {
  const out = sink(); const err = sink();
  const r = createPlainRenderer({ out, err });
  for (const e of oneRunStream({ steps: 200, perEpoch: 50 })) r.onEvent(e);
  r.onEvent({ type: 'diagnostic', severity: 'error', code: 'LSSD5802', message: 'run directory busy', hint: 'wait' });
  const steps = out.lines.filter((l) => l.startsWith('step '));
  assert.equal(steps.length, 21, 'step 1, then every 10 steps (11, 21, …, 191), and the last');
  assert.match(steps[steps.length - 1], /^step 200\/200 · epoch 4 · loss [\d.]+ \(L [\d.]+ · L_v [\d.]+ · L_a [\d.]+\) · lr [\d.e+-]+ · 12\.5 clips\/s$/);
  assert.equal(out.lines.filter((l) => l.startsWith('epoch ')).length, 4);
  assert.equal(out.lines.filter((l) => l.startsWith('checkpoint step ')).length, 4);
  assert.ok(out.lines.some((l) => /^▶ quickstart · backend cpu · seed 7 · 200 steps \(50\/epoch\)/.test(l)));
  assert.ok(out.lines.some((l) => l === 'probe synthetic_scene: top1 62.5%'));
  assert.ok(out.lines.some((l) => /quickstart\s+│\s+62\.5/.test(l)), 'results table row');
  assert.deepEqual(err.lines, ['error LSSD5802: run directory busy', '  hint: wait']);
});

test('json renderer: every event is one JSON line that parses back to it', () => {
  const out = sink();
  const r = createJsonRenderer({ out });
  const ev = oneRunStream({ steps: 5, perEpoch: 5, run: 'quickstart' });
  for (const e of ev) r.onEvent(e);
  assert.equal(out.lines.length, ev.length);
  assert.deepEqual(out.lines.map((l) => JSON.parse(l)), ev);
});

test('mode: --json wins, CI / non-TTY / --plain get plain lines, a terminal gets Ink', () => {
  assert.equal(chooseMode({ json: true, plain: true }, {}, true), 'json');
  assert.equal(chooseMode({}, {}, true), 'ink');
  assert.equal(chooseMode({}, {}, false), 'plain');
  assert.equal(chooseMode({}, { CI: 'true' }, true), 'plain');
  assert.equal(chooseMode({ plain: true }, {}, true), 'plain');
});
