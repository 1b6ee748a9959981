// lssdc report / lssdc probe through the real CLI entry (bin/lssdc.js): outputs, exit codes, diagnostics
// instead of stack traces.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageHashes } from '../../compiler/hash.ts';
import { probeSpec, testSpec } from '../probes/helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lssd-report-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const lssdc = (...args: string[]) => spawnSync(process.execPath, ['bin/lssdc.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

function runDir(): string {
  const spec = testSpec([probeSpec()]); spec.name = 'cli_run'; spec.label = 'CLI <b>run</b>';
  const h = stageHashes(spec);
  const dir = join(tmp, 'runs', `cli_run-${h.pretrain.slice(0, 12)}`);
  mkdirSync(join(dir, 'probes', h.probe.slice(0, 12)), { recursive: true });
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ name: spec.name, label: spec.label, hashes: h, backend: 'cpu', seed: 0, status: 'done', started: null, ended: null, attempts: [] }));
  writeFileSync(join(dir, 'probes', h.probe.slice(0, 12), 'results.json'), JSON.stringify({ results: [{ task: 'spoken_digit', suite: 'hear', group: 'semantic_speech',
    modality: 'audio', metric: 'top1', value: 0.425, std: 0.05, folds: [], n: { train: 12, valid: 4, test: 4 }, seconds: 1 }] }));
  return dir;
}

test('lssdc report RUN_DIR writes Markdown and self-contained HTML', () => {
  const dir = runDir(); const out = join(tmp, 'out');
  const r = lssdc('report', dir, '--out', out, '--title', 'T & <x>');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wrote .*report\.md/);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.ok(html.includes('42.5 ± 5.0') && html.includes('T &amp; &lt;x&gt;') && html.includes('CLI &lt;b&gt;run&lt;/b&gt;'));
  assert.ok(!/<link|<script|src="http/.test(html), 'no external resources');
  assert.ok(readFileSync(join(out, 'report.md'), 'utf8').includes('42.5 ± 5.0'));
});

test('user errors are diagnostics with codes, never stack traces', () => {
  const r = lssdc('report', join(tmp, 'nope'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /LSSD5410/);
  assert.ok(!/\n\s+at /.test(r.stderr), r.stderr);
  // An empty directory is a usage error like for every command (cli/README.md); one holding other
  // files is not a run directory.
  const empty = join(tmp, 'empty'); mkdirSync(empty, { recursive: true });
  const e0 = lssdc('report', empty);
  assert.equal(e0.status, 2); assert.match(e0.stderr, /is an empty directory/);
  const other = join(tmp, 'other'); mkdirSync(other, { recursive: true }); writeFileSync(join(other, 'notes.txt'), 'x');
  const e = lssdc('report', other);
  assert.equal(e.status, 1); assert.match(e.stderr, /LSSD5410.*spec\.json/);
  const p = lssdc('probe', runDir());
  assert.equal(p.status, 1, p.stderr);
  assert.match(p.stderr, /LSSD5407.*no finished pretraining run/);
  assert.equal(lssdc('report', runDir(), '--template', join(tmp, 'x.txt'), '--out', join(tmp, 'o2')).status, 1);
  assert.equal(lssdc('probe').status, 2);
  assert.equal(lssdc('report', '--bogus').status, 2);
  assert.ok(!existsSync(join(tmp, 'o2', 'report.md')));
});
