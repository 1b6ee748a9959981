// SIGTERM while a probe is training (issue 13): a scheduler's preemption during probing used to wait for
// the probe to finish (its training loops never gave the signal handler a turn). Now the probe stops
// within a step: no probe-end, exit 143, run.json `interrupted`, and no results cached for the probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lssdc, preparedRoot } from './helpers.ts';

const SPEC = fileURLToPath(new URL('./fixtures/probe-sig.lssd', import.meta.url));

test('SIGTERM during probe training: the probe stops mid-training, exit 143, interrupted, no probe result', { timeout: 600_000 }, async () => {
  const root = await preparedRoot('lssd-probe-sig-');
  let sentAt = 0;
  const p = lssdc(['run', SPEC, '--root', root, '--json', '--steps', '4'], (e, pp) => {
    // Embedding is done when its progress reaches the total; the probe trains next.
    if (!sentAt && e.type === 'data-progress' && e.phase.startsWith('embed ') && e.done >= e.total) {
      setTimeout(() => { sentAt = Date.now(); pp.child.kill('SIGTERM'); }, 500);
    }
  });
  const r = await p.done;
  const why = `stderr: ${p.stderr().slice(-2000)}\nevents: ${p.events.filter((e) => e.type !== 'data-progress' && e.type !== 'step').map((e) => JSON.stringify(e)).join('\n').slice(-2000)}`;
  assert.ok(sentAt > 0, `the probe started training: ${why}`);
  assert.equal(r.code, 143, why);
  assert.ok(!p.events.some((e) => e.type === 'probe-end'), `no probe finished: ${why}`);
  const start = p.events.find((e) => e.type === 'run-start') as { runDir: string };
  const run = JSON.parse(readFileSync(join(start.runDir, 'run.json'), 'utf8'));
  assert.equal(run.status, 'interrupted');
  const probes = join(start.runDir, 'probes');
  const files = existsSync(probes) ? (readdirSync(probes, { recursive: true }) as string[]) : [];
  assert.deepEqual(files.filter((f) => f.endsWith('results.json') || f.endsWith('slow_scene.json')), [], 'no probe result was cached');
  rmSync(root, { recursive: true, force: true });
});
