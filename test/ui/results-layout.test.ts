// The results table fits the terminal (issue 13): at 200 columns it is the plain table; at 80 it is
// transposed, wrapped into blocks or listed — every line within 80 display columns, every experiment,
// task and value still there. Rendered through Ink at both widths too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayWidth } from '../../compiler/render.ts';
import { formatResultsTable } from '../../runtime/orchestrate/results.ts';
import { layoutResultsTable } from '../../runtime/ui/results-layout.ts';
import { createInkRenderer } from '../../runtime/ui/ink.tsx';
import type { ResultsTable } from '../../runtime/contracts.ts';
import { FakeStdout, stripAnsi } from './stream.ts';

const ALL = ['esc50', 'speech_commands', 'nsynth_pitch', 'fsd50k', 'vocal_imitation', 'beijing_opera', 'crema_d', 'gtzan_genre', 'libricount', 'ucf101', 'kinetics', 'lvu_genre'];
function table(experiments: string[], labels: (n: string) => string = (n) => n, tasks = 7): ResultsTable {
  const TASKS = ALL.slice(0, tasks);
  return {
    columns: TASKS.map((t, i) => ({ task: t, group: i < 5 ? 'audio (HEAR)' : 'video', metric: i % 3 === 0 ? 'mAP' : 'top1' })) as ResultsTable['columns'],
    rows: experiments.map((n, k) => ({ name: n, label: labels(n), values: TASKS.map((_, i) => (i === 4 && k === 0 ? null : { value: 0.1 + 0.07 * i + 0.01 * k, std: i % 4 === 0 ? 0.012 : null })) })),
  };
}
const lines = (s: string) => s.split('\n');
const everything = (t: ResultsTable, out: string) => {
  for (const r of t.rows) assert.ok(out.includes(r.name), `experiment ${r.name} missing`);
  for (const c of t.columns) assert.ok(out.includes(c.task), `task ${c.task} missing`);
  for (const r of t.rows) for (const v of r.values) if (v) assert.ok(out.includes((v.value * 100).toFixed(1)), `value ${v.value} missing`);
};

test('at 200 columns the table is unchanged; at 80 every line fits and nothing is lost', () => {
  const t = table(['A1', 'A2', 'A4']);
  assert.ok(Math.max(...lines(formatResultsTable(t)).map(displayWidth)) > 80, 'the plain table is wider than 80');
  assert.equal(layoutResultsTable(t, 200), formatResultsTable(t));
  const at80 = layoutResultsTable(t, 80);
  for (const l of lines(at80)) assert.ok(displayWidth(l) <= 80, `${displayWidth(l)} columns: ${l}`);
  everything(t, at80);
  assert.match(at80, /^task \(metric\) +│ +A1 +│ +A2 +│ +A4$/m, 'few experiments, many tasks: transposed');
  assert.match(at80, /^video$/m);
});

test('many experiments at 80 columns: wrapped into blocks that repeat the experiment column', () => {
  const names = Array.from({ length: 14 }, (_, i) => `cell_${i}_lambda_a_0.${i}`);
  const t = table(names, undefined, 12);
  const out = layoutResultsTable(t, 80);
  for (const l of lines(out)) assert.ok(displayWidth(l) <= 80, `${displayWidth(l)} columns: ${l}`);
  everything(t, out);
  const blocks = out.split('\n\n');
  assert.ok(blocks.length >= 2, `${blocks.length} blocks`);
  for (const b of blocks) for (const n of names) assert.ok(b.includes(n), 'each block names every experiment');
});

test('labels too long for any table: one heading per experiment, lines cut to 80 columns', () => {
  const t = table(['A1', 'A2', 'A3', 'A4', 'B1', 'B2', 'B3', 'B4', 'B5', 'C1', 'C2'], (n) => `${n} — 漢字のラベル ${'long label '.repeat(8)}`, 12);
  const out = layoutResultsTable(t, 80);
  for (const l of lines(out)) assert.ok(displayWidth(l) <= 80, `${displayWidth(l)} columns: ${l}`);
  for (const c of t.columns) assert.ok(out.includes(c.task));
  assert.match(out, /^ +audio \(HEAR\) +esc50 \(mAP\) +10\.0±1\.2$/m);
});

for (const columns of [80, 200]) {
  test(`ink renders the results table within ${columns} columns`, async () => {
    const stdout = new FakeStdout();
    stdout.columns = columns;
    const r = createInkRenderer({ stdout: stdout as unknown as NodeJS.WriteStream, now: () => 0, debug: true });
    const t = table(['A1', 'A2', 'A4']);
    r.onEvent({ type: 'results', table: t });
    await r.close();
    const text = stripAnsi(stdout.writes.join(''));
    const mine = lines(text).filter((l) => l.includes('│') || l.includes('─┼─'));
    assert.ok(mine.length > 3);
    for (const l of mine) assert.ok(displayWidth(l) <= columns, `${displayWidth(l)} > ${columns}: ${l}`);
    everything(t, text);
    if (columns === 200) assert.ok(text.includes(lines(formatResultsTable(t))[1]), 'the plain header row at 200 columns');
  });
}
