// The paper's table layouts (runtime/report/layouts.ts): Table 2 (its task order, 2 decimals, best bold per
// ablation group) and Tables B.3/B.4 (tasks as rows, variants as columns, an M column, best bold, worst marked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { b3Table, table2Model } from '../../runtime/report/layouts.ts';
import { renderReport } from '../../runtime/report/render.ts';
import type { ReportModel, TableCell } from '../../runtime/report/model.ts';

const cell = (value: number | null, std: number | null = null): TableCell => ({ text: value === null ? '—' : (value * 100).toFixed(1), value, std, seeds: 1, best: false });

function model(): ReportModel {
  const columns = [
    { task: 'fsd50k', group: 'sound_scene', metric: 'mAP' as const, suite: 'hear', modality: 'audio' },
    { task: 'esc50', group: 'sound_scene', metric: 'top1' as const, suite: 'hear', modality: 'audio' },
    { task: 'lvu_genre_a', group: 'lvu_audio', metric: 'top1' as const, suite: 'lvu', modality: 'audio' },
    { task: 'ucf101_linear', group: 'action', metric: 'top1' as const, suite: 'action', modality: 'video' },
    { task: 'libricount', group: 'non_semantic_speech', metric: 'top1' as const, suite: 'hear', modality: 'audio' },
  ];
  return {
    title: 't', generated: 'now', source: 's', columns, columnGroups: [], hasResults: true, runs: [], notRun: [], lossChart: null, lossChartFile: 'loss.svg',
    embeddingPlots: [], effects: [], notes: [],
    rowGroups: [{ name: 'A', rows: [
      { key: 'A1', label: 'A.1', names: ['A1'], cells: [cell(0.4452), cell(0.772, 0.0123), cell(0.5442), cell(0.61), cell(0.6729)] },
      { key: 'A2', label: 'A.2', names: ['A2'], cells: [cell(0.4423), cell(0.7596), cell(0.5663), cell(null), cell(0.6794)] },
      { key: 'A3', label: 'A.3', names: ['A3'], cells: [cell(0.4890), cell(0.82), cell(0.5765), cell(0.6), cell(0.6787)] },
    ] }],
  };
}

test('Table 2 layout: the paper\'s task order, 2 decimals, best per ablation group', () => {
  const m = table2Model(model());
  assert.deepEqual(m.columns.map((c) => c.task), ['esc50', 'libricount', 'fsd50k', 'lvu_genre_a', 'ucf101_linear']);
  const a1 = m.rowGroups[0].rows[0].cells;
  assert.deepEqual(a1.map((c) => c.text), ['77.20 ± 1.23', '67.29', '44.52', '54.42', '61.00']);
  assert.deepEqual(m.rowGroups[0].rows.map((r) => r.cells[0].best), [false, false, true], 'A.3 is best on ESC-50');
  assert.deepEqual(m.rowGroups[0].rows.map((r) => r.cells[1].best), [false, true, false], 'A.2 is best on LibriCount');
  assert.deepEqual(m.columnGroups, [{ name: 'sound_scene', span: 1 }, { name: 'non_semantic_speech', span: 1 }, { name: 'sound_scene', span: 1 },
    { name: 'lvu_audio', span: 1 }, { name: 'action', span: 1 }]);
});

test('Tables B.3/B.4 layout: tasks as rows in the paper\'s order, M column, best bold and worst marked per row', () => {
  const t = b3Table(model());
  assert.deepEqual(t.variants, ['A.1', 'A.2', 'A.3']);
  const rows = t.groups.flatMap((g) => g.rows);
  assert.deepEqual(rows.map((r) => [r.task, r.modality]), [['esc50', 'A'], ['fsd50k', 'A'], ['libricount', 'A'], ['ucf101_linear', 'V'], ['lvu_genre_a', 'A']]);
  const esc = rows[0].cells;
  assert.deepEqual(esc.map((c) => c.text), ['.772±.012', '.760', '.820']);
  assert.deepEqual(esc.map((c) => [c.best, c.worst]), [[false, false], [false, true], [true, false]]);
  const ucf = rows[3].cells;
  assert.deepEqual(ucf.map((c) => c.text), ['.610', '—', '.600']);
  const { markdown, html } = renderReport(model(), { layout: 'b3' });
  assert.match(markdown, /\| sound\\_scene \| esc50 \| A \| \.772±\.012 \| ▽ \.760 \| \*\*\.820\*\* \|/);
  assert.match(markdown, /\| sound\\_scene \| fsd50k \(mAP\) \| A \|/);
  assert.match(html, /<td class="worst">\.760<\/td><td class="best">\.820<\/td>/);
  assert.match(renderReport(model(), { layout: 'table2' }).markdown, /\| A\.3 \| \*\*82\.00\*\* \|/);
});
