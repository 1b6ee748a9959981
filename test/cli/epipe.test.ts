// Output to a closed pipe (`lssdc show grid.lssd | head`, issue 13): the real CLI in a child process
// whose stdout reader goes away after the first chunk. Before cli/main.ts handled EPIPE this printed
// Node's "Unhandled 'error' event … write EPIPE" stack trace and exited 1. And stdout on a full disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, SIG_CPU_SPEC, preparedRoot, repo } from '../signals/helpers.ts';

/** Runs lssdc; once stdout has shown `until` (a pattern), closes the read end of the pipe, as `head` does. */
function closedPipe(args: string[], until: RegExp): Promise<{ code: number | null; signal: string | null; err: string; seen: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', LSSD_SOURCES: '1' } });
  let err = '', seen = '', closed = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    if (closed) return;
    seen += d;
    if (until.test(seen)) { closed = true; child.stdout.destroy(); }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { err += d; });
  return new Promise((res) => child.on('close', (code, signal) => res({ code, signal, err, seen })));
}

const grid = (cells: number) => `import "paper"
grid big extends paper_main {
  axis seed = [${Array.from({ length: cells }, (_, i) => i).join(', ')}] -> optim.seed
  name = "c{#}"
}
`;

test('show and show --hash into a closed pipe: exit 141, nothing on stderr', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-epipe-'));
  try {
    const file = join(dir, 'big.lssd');
    // 64 cells print ~1.7 MB with `show`: far more than a pipe buffer, so the child is still writing when the pipe closes.
    writeFileSync(file, grid(64));
    for (const args of [['show', file], ['show', '--hash', file]]) {
      const r = await closedPipe(args, /\S/);
      assert.equal(r.code, 141, `${args.join(' ')}: exit ${r.code ?? r.signal}\n${r.err.slice(-2000)}`);
      assert.equal(r.err, '', `${args.join(' ')}: stderr should be empty`);
    }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('stdout on a full disk (/dev/full): one coded line, exit 1, no stack trace (it was an uncaught ENOSPC)', { skip: existsSync('/dev/full') ? false : 'no /dev/full here', timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lssd-full-'));
  const full = openSync('/dev/full', 'w');
  try {
    const file = join(dir, 'big.lssd');
    writeFileSync(file, grid(64));
    const r = spawnSync(process.execPath, [BIN, 'show', file], { cwd: repo, stdio: ['ignore', full, 'pipe'], encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LSSD_SOURCES: '1' } });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^error LSSD5046: cannot write standard output: ENOSPC/);
    assert.doesNotMatch(r.stderr, /at .*:\d+:\d+|internal error/);
  } finally { closeSync(full); rmSync(dir, { recursive: true, force: true }); }
});

test('a run whose stdout closes stops as on SIGTERM: a checkpoint, run.json interrupted, exit 143', { timeout: 600_000 }, async () => {
  const root = await preparedRoot('lssd-epipe-run-');
  try {
    // The plain renderer prints a line per epoch; the pipe closes after the first, with training under way.
    const r = await closedPipe(['run', SIG_CPU_SPEC, '--root', root, '--steps', '200', '--no-probe', '--backend', 'cpu'], /epoch \d+ ·[^\n]*\n/);
    assert.equal(r.code, 143, `exit ${r.code ?? r.signal}\nstdout: ${r.seen.slice(-1500)}\nstderr: ${r.err.slice(-2000)}`);
    assert.doesNotMatch(r.err, /EPIPE|internal error|at .*:\d+:\d+/);
    const runs = join(root, 'runs');
    const id = readdirSync(runs).find((n) => /^[0-9a-f]{12}$/.test(n))!;
    const run = JSON.parse(readFileSync(join(runs, id, 'run.json'), 'utf8'));
    assert.equal(run.status, 'interrupted');
    assert.ok(readdirSync(join(runs, id, 'checkpoints')).some((n) => /^step-\d+$/.test(n)), 'a checkpoint was written on the way out');
  } finally { rmSync(root, { recursive: true, force: true }); }
});
