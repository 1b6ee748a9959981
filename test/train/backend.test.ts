// Backend selection: tensorflow when @tensorflow/tfjs-node loads, else a diagnostic for an explicit
// request; the cpu fallback trains (slowly) with a loud warning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lower } from '../../compiler/lower.ts';
import type { RunEvent } from '../../runtime/contracts.ts';
import { selectBackend, trainExperiment } from '../../runtime/train/index.ts';
import { isLssdError } from '../../runtime/media/errors.ts';
import { tinySpec, randomDataset } from './fixtures.ts';

test("--backend tensorflow: used when tfjs-node loads, otherwise LSSD5301 with a hint", async () => {
  let native = true;
  try { const name = '@tensorflow/tfjs-node'; await import(name); } catch { native = false; }
  if (native) assert.equal(await selectBackend('tensorflow'), 'tensorflow');
  else await assert.rejects(selectBackend('tensorflow'), (e: unknown) => isLssdError(e) && e.code === 'LSSD5301' && !!e.hint);
  assert.equal(await selectBackend('auto'), native ? 'tensorflow' : 'wasm');
});

test('the cpu backend trains with a warning event and passes the self-test', async () => {
  const s = tinySpec({ runtime: { backend: 'cpu', checkpoint_every_steps: 100, workers: 0, log_every_steps: 1 } });
  const spec = { ...s, optim: { ...s.optim, duration: { steps: 2 } } };
  const plan = lower(spec).value!;
  const dir = mkdtempSync(join(tmpdir(), 'lssd-cpu-'));
  const events: RunEvent[] = [];
  const r = await trainExperiment({ spec, plan, runDir: dir, dataset: randomDataset(spec), signal: new AbortController().signal, events: (e) => events.push(e) });
  assert.equal(r.status, 'done');
  assert.ok(events.some((e) => e.type === 'warning' && /cpu backend/.test(e.message)));
  assert.ok(events.some((e) => e.type === 'run-start' && e.backend === 'cpu'));
  assert.ok(events.filter((e) => e.type === 'selftest').every((e) => e.type === 'selftest' && e.ok));
  rmSync(dir, { recursive: true, force: true });
});
