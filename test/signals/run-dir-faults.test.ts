// The run directory's file system fails mid-run (issue 13): a full disk (a tmpfs mounted on the run
// store, filled after the first checkpoint), a read-only checkpoints directory (a read-only bind
// mount after the first checkpoint) and one the run may not write (EACCES: the run as nobody, the
// directory chmod 0555 after the first checkpoint). Each is a coded diagnostic naming the path, exit
// 1, never "internal error"; the previous checkpoint is intact, no temp directory is left (unless the
// fault itself forbids removing one: then the diagnostic names it and the next run removes it), and once
// the fault is gone the next run resumes from that checkpoint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { prepareRoot } from '../../bench/fuzz-faults.ts';
import { BIN, SIG_CPU_SPEC, SIG_SPEC, repo } from './helpers.ts';
import type { TaggedRunEvent } from '../../runtime/contracts.ts';

const isRoot = process.getuid?.() === 0;
const canMount = (() => {
  if (!isRoot) return 'needs root to mount a tmpfs';
  const d = join(repo, '.lssd-mount-probe'); mkdirSync(d, { recursive: true });
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', d]).status === 0;
  if (ok) spawnSync('umount', [d]);
  rmSync(d, { recursive: true, force: true });
  return ok ? false : 'mount -t tmpfs is not permitted here';
})();

/**
 * A directory the run cannot write: as root (which ignores permission bits) the run is spawned as
 * `nobody` (spawn's uid/gid) and its checkpoints directory made 0555 under it; as another user the
 * run is that user and the same chmod denies it.
 */
const nobody = (() => {
  if (!isRoot) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'nobody'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u'), gid = id('-g');
  return Number.isInteger(uid) && uid > 0 && Number.isInteger(gid) && gid > 0 ? { uid, gid } : undefined;
})();
const ffprobeFor = (as: { uid: number; gid: number }) => {
  const path = (createRequire(import.meta.url)('@ffprobe-installer/ffprobe') as { path: string }).path;
  return spawnSync(process.env.FFPROBE_PATH || path, ['-version'], { ...as, stdio: 'ignore' }).status === 0;
};
const canDeny = isRoot && !nobody ? 'running as root and there is no nobody user to run as'
  : nobody && !ffprobeFor(nobody) ? 'nobody cannot run the bundled ffprobe: this node_modules predates provision/install.mjs making it executable (npm install)' : false;

let prepared = '';
before(async () => { if (!canMount || !canDeny) prepared = await prepareRoot(); });
after(() => { if (prepared) rmSync(prepared, { recursive: true, force: true }); });

/**
 * `lssdc run` on the fixture; `onCheckpoint` runs once, as soon as a step-4 checkpoint is complete on
 * disk under `runsDir` (polled: independent of when the event reaches us).
 */
function run(root: string, steps: number, o: { onCheckpoint?: (pid: number) => void; runsDir?: string; as?: { uid: number; gid: number }; backend?: string } = {}) {
  // On the cpu backend (as nobody: the native library is in root's cache), the tower that backend trains quickly.
  const argv = [BIN, 'run', o.backend === 'cpu' ? SIG_CPU_SPEC : SIG_SPEC, '--root', root, '--json', '--steps', String(steps), '--no-probe', ...(o.backend ? ['--backend', o.backend] : [])];
  // As another user: HOME is the (chowned) root, so nothing of the parent's home is needed or written.
  const child = spawn(process.execPath, argv, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], ...(o.as ?? {}), env: { ...process.env, CI: '1', FORCE_COLOR: '0', LSSD_SOURCES: '1', ...(o.as ? { HOME: root } : {}) } });
  const events: TaggedRunEvent[] = []; let out = '', err = '';
  child.stdout.setEncoding('utf8'); child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i); out = out.slice(i + 1);
      try { events.push(JSON.parse(line)); } catch { /* not an event line */ }
    }
  });
  child.stderr.on('data', (d: string) => { err += d; });
  const poll = o.onCheckpoint && o.runsDir ? setInterval(() => {
    const entry = existsSync(o.runsDir!) ? readdirSync(o.runsDir!).find((n) => /^[0-9a-f]{12}$/.test(n)) : undefined;
    if (entry && existsSync(join(o.runsDir!, entry, 'checkpoints', 'step-4', 'manifest.json'))) { clearInterval(poll); o.onCheckpoint!(child.pid!); }
  }, 100) : undefined;
  return new Promise<{ code: number | null; events: TaggedRunEvent[]; err: string }>((res) => child.on('close', (code) => { if (poll) clearInterval(poll); res({ code, events, err }); }));
}

type Ran = Awaited<ReturnType<typeof run>>;
const diagnostics = (r: Ran) => r.events.filter((e) => e.type === 'diagnostic') as unknown as { code: string; message: string }[];
const explain = (r: Ran) => `diagnostics: ${JSON.stringify(diagnostics(r))}\nstderr: ${r.err.slice(-2000)}`;

/**
 * Temp directories the failed run left: only one made before the fault (the run was paused while the fault
 * was set up, but a later checkpoint may have been under way), and then the diagnostic must name it.
 */
function leftReported(r: Ran, ck: string, errno: string): string[] {
  const left = readdirSync(ck).filter((n) => n.startsWith('.tmp'));
  for (const n of left) {
    assert.ok(diagnostics(r).some((d) => d.code === 'LSSD5045' && d.message.includes(`${n} is left behind (removing it failed too: `) && d.message.includes(`(${errno}))`)), `${n} left and not reported: ${explain(r)}`);
  }
  return left;
}

/** Runs `f` with the run paused (SIGSTOP … SIGCONT), so the fault is in place before it takes another step. */
function paused(pid: number, f: () => void) {
  process.kill(pid, 'SIGSTOP');
  try { f(); } finally { process.kill(pid, 'SIGCONT'); }
}

function checkpointsOf(runsDir: string): { dir: string; names: string[] } {
  const entry = readdirSync(runsDir).find((n) => /^[0-9a-f]{12}$/.test(n))!;
  const dir = join(runsDir, entry, 'checkpoints');
  return { dir, names: readdirSync(dir).sort() };
}

function assertIntact(ckDir: string, name: string) {
  const m = JSON.parse(readFileSync(join(ckDir, name, 'manifest.json'), 'utf8'));
  const floats = m.tensors.reduce((a: number, t: { shape: number[] }) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  assert.equal(statSync(join(ckDir, name, 'weights.bin')).size, floats * 4, `${name}: weights.bin holds every tensor its manifest lists`);
}

const copyPrepared = (to: string) => { for (const f of readdirSync(prepared)) if (f !== 'runs') spawnSync('cp', ['-a', join(prepared, f), to]); };

test('a full disk under the run store: a coded diagnostic, step-4 intact, no temp dir; the next run resumes', { skip: canMount, timeout: 600_000 }, async () => {
  const root = join(prepared, '..', `lssd-enospc-${process.pid}`); mkdirSync(root);
  copyPrepared(root);
  const runs = join(root, 'runs'); mkdirSync(runs);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', runs]).status, 0);
  try {
    const r = await run(root, 12, {
      runsDir: runs,
      onCheckpoint: () => {
        // Fill what is left of the tmpfs.
        const fd = openSync(join(runs, 'filler'), 'w');
        try { const b = Buffer.alloc(1 << 16); for (;;) writeSync(fd, b); } catch { /* ENOSPC: full */ } finally { closeSync(fd); }
      },
    });
    assert.equal(r.code, 1, r.err.slice(-3000));
    assert.doesNotMatch(r.err + JSON.stringify(r.events), /internal error|at .*\.ts:\d+/);
    assert.ok(diagnostics(r).some((d) => /^LSSD504[56]$/.test(d.code) && /no space left on device \(ENOSPC\)/.test(d.message)), explain(r));
    const { dir, names } = checkpointsOf(runs);
    assert.ok(names.includes('step-4'), `step-4 kept: ${names}`);
    assert.deepEqual(names.filter((n) => n.startsWith('.tmp')), [], 'no temp directory left');
    assertIntact(dir, 'step-4');
    rmSync(join(runs, 'filler'));
    const again = await run(root, 12);
    assert.equal(again.code, 0, again.err.slice(-3000));
    const start = again.events.find((e) => e.type === 'run-start') as { resumedFrom: number | null };
    assert.ok((start.resumedFrom ?? 0) >= 4, `resumed from ${start.resumedFrom}`);
  } finally { spawnSync('umount', [runs]); rmSync(root, { recursive: true, force: true }); }
});

test('a read-only checkpoints directory (a read-only bind mount after step 4): LSSD5045 naming it, step-4 intact; writable again, the run resumes', { skip: canMount, timeout: 600_000 }, async () => {
  // Root ignores permission bits, so the directory is made read-only the way root cannot bypass: a
  // read-only bind mount of itself (EROFS). test/files covers EACCES as nobody for fmt.
  const root = join(prepared, '..', `lssd-erofs-${process.pid}`); mkdirSync(root);
  copyPrepared(root);
  let ck = ''; let mounted = false;
  try {
    const r = await run(root, 12, {
      runsDir: join(root, 'runs'),
      onCheckpoint: (pid) => paused(pid, () => {
        ck = checkpointsOf(join(root, 'runs')).dir;
        mounted = spawnSync('mount', ['--bind', ck, ck]).status === 0 && spawnSync('mount', ['-o', 'remount,bind,ro', ck]).status === 0;
      }),
    });
    assert.ok(mounted, 'the checkpoints directory was made read-only');
    assert.equal(r.code, 1, explain(r));
    assert.doesNotMatch(r.err + JSON.stringify(r.events), /internal error|at .*\.ts:\d+/);
    assert.ok(diagnostics(r).some((d) => d.code === 'LSSD5045' && /cannot write checkpoint step-\d+: read-only file system \(EROFS\)/.test(d.message)), explain(r));
    const names = readdirSync(ck).sort();
    assert.ok(names.includes('step-4'), `step-4 kept: ${names}`);
    const left = leftReported(r, ck, 'EROFS');
    assertIntact(ck, 'step-4');
    assert.equal(JSON.parse(readFileSync(join(ck, '..', 'run.json'), 'utf8')).status, 'failed');
    spawnSync('umount', [ck]); mounted = false;
    const again = await run(root, 12);
    assert.equal(again.code, 0, again.err.slice(-3000));
    assert.deepEqual(readdirSync(ck).filter((n) => left.includes(n)), [], 'the resumed run removed what the failed one could not');
    const start = again.events.find((e) => e.type === 'run-start') as { resumedFrom: number | null };
    assert.ok((start.resumedFrom ?? 0) >= 4, `resumed from ${start.resumedFrom}`);
  } finally { if (mounted) spawnSync('umount', [ck]); rmSync(root, { recursive: true, force: true }); }
});

test('a checkpoints directory the run may not write (EACCES, as nobody under root): LSSD5045 naming it, step-4 intact; writable again, the run resumes', { skip: canDeny, timeout: 600_000 }, async () => {
  const root = join(prepared, '..', `lssd-eacces-${process.pid}`); mkdirSync(root);
  copyPrepared(root);
  if (nobody) spawnSync('chown', ['-R', `${nobody.uid}:${nobody.gid}`, root]);
  let ck = '';
  try {
    const r = await run(root, 12, {
      as: nobody, backend: 'cpu', runsDir: join(root, 'runs'),
      onCheckpoint: (pid) => paused(pid, () => { ck = checkpointsOf(join(root, 'runs')).dir; chmodSync(ck, 0o555); }),
    });
    assert.ok(ck, `the checkpoints directory was made read-only (exit ${r.code}): ${explain(r)}`);
    assert.equal(r.code, 1, explain(r));
    assert.doesNotMatch(r.err + JSON.stringify(r.events), /internal error|at .*\.ts:\d+/);
    assert.ok(diagnostics(r).some((d) => d.code === 'LSSD5045' && /cannot write checkpoint step-\d+: permission denied \(EACCES\)/.test(d.message)), explain(r));
    const names = readdirSync(ck).sort();
    assert.ok(names.includes('step-4'), `step-4 kept: ${names}`);
    const left = leftReported(r, ck, 'EACCES');
    assertIntact(ck, 'step-4');
    assert.equal(JSON.parse(readFileSync(join(ck, '..', 'run.json'), 'utf8')).status, 'failed');
    chmodSync(ck, 0o755);
    const again = await run(root, 12, { as: nobody, backend: 'cpu' });
    assert.equal(again.code, 0, again.err.slice(-3000));
    assert.deepEqual(readdirSync(ck).filter((n) => left.includes(n)), [], 'the resumed run removed what the failed one could not');
    const start = again.events.find((e) => e.type === 'run-start') as { resumedFrom: number | null };
    assert.ok((start.resumedFrom ?? 0) >= 4, `resumed from ${start.resumedFrom}`);
  } finally { if (ck) try { chmodSync(ck, 0o755); } catch { /* gone */ } rmSync(root, { recursive: true, force: true }); }
});
