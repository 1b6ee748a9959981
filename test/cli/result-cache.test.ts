// check's result cache (cli/result-cache.ts): a hit prints exactly what the run printed, with its exit
// code; every input the run observed invalidates it — an imported file's bytes, a new file in a checked
// folder, a variable it read, the build, the arguments — while a touch with the same bytes does not; a
// run it cannot replay is not stored; a broken entry is a miss.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cached, cacheDir, type CacheOutcome } from '../../cli/result-cache.ts';
import { load } from '../../cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'lssd-result-cache-'));
process.env.LSSD_CACHE_DIR = join(dir, 'cache');
delete process.env.LSSD_CHECK_CACHE;
const project = join(dir, 'p');
mkdirSync(project);
writeFileSync(join(project, 'package.json'), '{}\n');
const GOOD_B = 'import "cpu"\nexperiment b extends cpu_small { label = "b" }\n';
writeFileSync(join(project, 'b.lssd'), GOOD_B);
writeFileSync(join(project, 'a.lssd'), 'import "./b.lssd"\nexperiment a extends b { label = "a" }\n');

/** `lssdc check ARGS` through the cache with build `build` (null: none, the cache off): its output, exit code and what the cache did. */
async function check(args: string[], build: string | null = 'build-1') {
  const c = (await load('check'))!;
  const out: string[] = []; const err: string[] = [];
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof o;
  process.stderr.write = ((s: string) => { err.push(String(s)); return true; }) as typeof e;
  let outcome: CacheOutcome | undefined;
  let code: number;
  try { code = await cached(build ?? undefined, ['check', ...args], () => c.run(args), (x) => { outcome = x; }); } finally {
    process.stdout.write = o; process.stderr.write = e;
  }
  return { code, stdout: out.join(''), stderr: err.join(''), state: outcome?.state, why: (outcome as { why?: string })?.why };
}
/** The same run with the cache off: what a hit must reproduce. */
const fresh = (args: string[]) => check(args, null);

test('a second identical run is a hit with the same output and exit code; a touch with the same bytes keeps it', async () => {
  const first = await check([project]);
  assert.equal(first.state, 'stored', first.why);
  assert.equal(first.code, 0);
  const second = await check([project]);
  assert.equal(second.state, 'hit');
  assert.deepEqual({ ...second, state: '' }, { ...first, state: '' });
  utimesSync(join(project, 'b.lssd'), new Date(), new Date(Date.now() + 5000));
  assert.equal((await check([project])).state, 'hit', 'an mtime alone is no change');
  assert.equal((await check(['--json', project])).state, 'stored', 'other arguments, another entry');
  assert.equal((await check([project], 'build-2')).state, 'stored', 'another build, another entry');
});

test('an edited import, a new file in a checked folder and a variable the run read each invalidate the entry', async () => {
  await check([project]);
  assert.equal((await check([project])).state, 'hit');
  // The imported file now has an error: the cached "0 errors" must not come back.
  writeFileSync(join(project, 'b.lssd'), 'import "cpu"\nexperiment b extends cpu_smal { label = "b" }\n');
  const broken = await check([project]);
  assert.equal(broken.state, 'stored');
  assert.equal(broken.code, 1);
  assert.deepEqual({ ...broken, state: '' }, { ...(await fresh([project])), state: '' });
  const hit = await check([project]);
  assert.equal(hit.state, 'hit');
  assert.equal(hit.code, 1);
  assert.equal(hit.stderr, broken.stderr, 'diagnostics replayed byte for byte');
  writeFileSync(join(project, 'b.lssd'), GOOD_B);
  assert.equal((await check([project])).code, 0);
  // A file added to the folder: the listing differs.
  writeFileSync(join(project, 'c.lssd'), 'import "cpu"\nexperiment c extends cpu_small { label = "c" }\n');
  const more = await check([project]);
  assert.equal(more.state, 'stored');
  assert.match(more.stdout, /checked 3 files/);
  // LSSD_ALLOW_IMPORT is read by the check (runtime/host.ts): its value is part of what the entry saw.
  assert.equal((await check([project])).state, 'hit');
  process.env.LSSD_ALLOW_IMPORT = tmpdir();
  try { assert.equal((await check([project])).state, 'stored'); } finally { delete process.env.LSSD_ALLOW_IMPORT; }
});

test('off without a build or with LSSD_CHECK_CACHE=0; a run it cannot replay is not stored; a broken entry is a miss', async () => {
  assert.equal((await check([project], null)).state, 'off');
  process.env.LSSD_CHECK_CACHE = '0';
  try { assert.equal((await check([project])).state, 'off'); } finally { delete process.env.LSSD_CHECK_CACHE; }
  let outcome: CacheOutcome | undefined;
  await cached('build-1', ['check', 'fd'], async () => { closeSync(openSync(join(project, 'a.lssd'), 'r')); return 0; }, (o) => { outcome = o; });
  assert.deepEqual(outcome, { state: 'not-stored', why: 'fs.openSync' });
  await cached('build-1', ['check', 'env'], async () => { void Object.keys(process.env); return 0; }, (o) => { outcome = o; });
  assert.deepEqual(outcome, { state: 'not-stored', why: 'the whole environment was listed' });
  await check(['--quiet', project]);
  for (const f of readdirSync(cacheDir())) writeFileSync(join(cacheDir(), f), '{"v":1,');
  const again = await check(['--quiet', project]);
  assert.equal(again.state, 'stored', 'an unreadable entry is rewritten');
  assert.equal((await check(['--quiet', project])).state, 'hit');
});
