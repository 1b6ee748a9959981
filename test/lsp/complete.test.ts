// Completion in-process (lsp/complete.ts over the real stdlib): profiles map names and scale fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { complete } from '../../lsp/complete.ts';
import { Workspace } from '../../lsp/workspace.ts';
import { repoRoot } from './client.ts';

function labelsAt(src: string): string[] {
  const ws = new Workspace(repoRoot);
  const offset = src.indexOf('|');
  const text = src.slice(0, offset) + src.slice(offset + 1);
  const uri = `untitled:complete-test-${Math.random()}`;
  ws.open(uri, text, 1);
  return complete({ text, offset, loaded: ws.load(ws.pathOf(uri)), siblings: [] }).map((i) => i.label);
}

test('profiles: own keys and the scale fields they may set; backbone and task names to map', () => {
  const top = labelsAt('import "backbones"\nimport "tasks"\nprofile mine {\n  |\n}\n');
  for (const k of ['label', 'catalog', 'backbones', 'tasks', 'data', 'views', 'optim', 'runtime']) assert.ok(top.includes(k), top.join());
  assert.ok(!top.includes('dubs') && !top.includes('loss'), 'dubs and loss say what an experiment is about: not a profile\'s');
  const data = labelsAt('profile mine {\n  data.|\n}\n');
  assert.deepEqual(data.sort(), ['batch', 'budget', 'shots', 'windows']);
  const bb = labelsAt('import "backbones"\nprofile mine {\n  backbones {\n    |\n  }\n}\n');
  assert.ok(bb.includes('mvit_s') && bb.includes('cpu_video_s'), bb.join());
  const target = labelsAt('import "backbones"\nprofile mine {\n  backbones { mvit_s = | }\n}\n');
  assert.ok(target.includes('cpu_video_s'), target.join());
  assert.deepEqual(labelsAt('profile mine {\n  tasks = |\n}\n'), ['keep']);
  const dur = labelsAt('profile mine {\n  optim.duration = 120 |\n}\n');
  assert.deepEqual(dur, ['epochs', 'steps']);
});
