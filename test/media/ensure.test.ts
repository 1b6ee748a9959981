// ensureDataset on lavfi-made media: filters, bounds, budget, feature cache, deterministic batches, and
// the a_s/a_p relationship (same shot and window, other language track).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTitle } from './make-media.ts';
import { testSpec } from './spec-fixture.ts';
import { ensureDataset, LssdError, overrideGroup } from '../../runtime/media/ensure.ts';

let tmp: string, dir: string, root: string;
// Worker start-up (a TypeScript loader per thread) costs ~1 s: only the test about the worker uses one.
process.env.LSSD_SAMPLER = 'inline';

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'lssd-ensure-'));
  dir = join(tmp, 'media'); root = join(tmp, '.lssd');
  mkdirSync(dir);
  await Promise.all([
    // es is the same audio as en (only the language differs); fr is another signal.
    makeTitle(join(dir, 'twin.mkv'), { shots: [4, 5], audio: [{ lang: 'eng', title: 'original', freq: 440 }, { lang: 'spa', title: 'dub', freq: 440 }, { lang: 'fre', title: 'dub', freq: 880 }, { lang: 'zxx', title: 'speech_removed', freq: 220 }] }),
    makeTitle(join(dir, 'solo.mkv'), { shots: [4, 4], audio: [{ lang: 'deu', freq: 520 }] }),
    makeTitle(join(dir, 'jp.mkv'), { shots: [3.5, 6, 1], audio: [{ lang: 'jpn', freq: 500 }, { lang: 'eng', freq: 300 }] }),
  ]);
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const noMask = { views: { audio: { time_mask: 0, freq_mask: 0 } } } as const;

test('batches: shapes, determinism across a fresh dataset (resume), feature cache reused', async () => {
  const spec = testSpec(dir);
  const ds = await ensureDataset(spec, { root });
  assert.equal(ds.stats.titles, 3);
  assert.equal(ds.stats.shotsDropped.tooShort, 1, 'jp.mkv has a 1 s shot');
  assert.equal(ds.stats.shots, 6);
  assert.equal(ds.stepsPerEpoch, Math.floor(6 / 8) || 1);
  const b = await ds.batchAt(3);
  assert.equal(b.size, 8);
  assert.deepEqual(b.audioShape, [8, 1 + Math.floor((24000 - 512) / 256), 32, 1]);
  assert.deepEqual(b.videoShape, [8, 4, 32, 32, 3]);
  assert.equal(b.ap.length, 8 * b.audioShape[1] * 32);
  assert.equal(b.vp!.length, 8 * 4 * 32 * 32 * 3);
  assert.ok(b.vp!.every((x) => x >= 0 && x <= 1));
  assert.ok(b.ap.every(Number.isFinite));
  const featDirs = readdirSync(join(root, 'features')).sort();
  const mtimes = featDirs.map((d) => statSync(join(root, 'features', d, 'meta.json')).mtimeMs);
  await ds.close();
  const again = await ensureDataset(spec, { root });
  assert.deepEqual(readdirSync(join(root, 'features')).sort(), featDirs);
  assert.deepEqual(featDirs.map((d) => statSync(join(root, 'features', d, 'meta.json')).mtimeMs), mtimes, 'cache reused, not rewritten');
  const b2 = await again.batchAt(3);
  for (const k of ['ap', 'as', 'vp', 'vs', 'title', 'shot', 'dubbed'] as const) assert.deepEqual(b2[k], b[k], `${k} differs after reopening`);
  assert.deepEqual([b2.langP, b2.langS], [b.langP, b.langS]);
  await again.close();
});

test('worker-thread batches are bit-identical to in-thread ones', async () => {
  const spec = testSpec(dir);
  delete process.env.LSSD_SAMPLER;
  let w: Awaited<ReturnType<typeof ensureDataset>>;
  try { w = await ensureDataset(spec, { root }); } finally { process.env.LSSD_SAMPLER = 'inline'; }
  const i = await ensureDataset(spec, { root });
  assert.equal(w.samplerMode, 'worker');
  assert.equal(i.samplerMode, 'inline');
  for (const step of [5, 0, 6, 2]) {
    const a = await w.batchAt(step), b = await i.batchAt(step);
    for (const k of ['ap', 'as', 'vp', 'vs', 'title', 'shot', 'dubbed', 'langP', 'langS'] as const) assert.deepEqual(a[k], b[k], `${k} at step ${step}`);
  }
  await w.close(); await i.close();
  await assert.rejects(w.batchAt(1), /closed/);
});

test('a_s comes from the dub where one exists, else from the primary track (second augmentation)', async () => {
  const spec = testSpec(dir, { dubs: { policy: 'fixed', languages: ['es'], primary: 'original' }, ...noMask });
  const ds = await ensureDataset(spec, { root });
  const twin = ds.titles.findIndex((t) => t.path.endsWith('twin.mkv'));
  let checked = 0;
  for (let step = 0; step < 6; step++) {
    const b = await ds.batchAt(step);
    const [, F, M] = b.audioShape;
    for (let e = 0; e < b.size; e++) {
      const ap = b.ap.subarray(e * F * M, (e + 1) * F * M), as = b.as.subarray(e * F * M, (e + 1) * F * M);
      if (b.title[e] === twin) {
        assert.equal(b.dubbed[e], 1); assert.equal(b.langP[e], 'en'); assert.equal(b.langS[e], 'es');
        checked++;
      } else {
        assert.equal(b.dubbed[e], 0, 'no es dub: second augmentation of the primary');
        assert.equal(b.langS[e], b.langP[e]);
      }
      assert.equal(ap.length, as.length);
    }
  }
  assert.ok(checked > 0);
  await ds.close();
});

test('a_s is the dub track at the secondary window: equals a_p content for an identical-audio dub, differs for another', async () => {
  for (const [lang, same] of [['es', true], ['fr', false]] as const) {
    const spec = testSpec(dir, { data: { filters: { original_language: { include: ['en'], exclude: [] } } }, dubs: { policy: 'fixed', languages: [lang], primary: 'original' }, ...noMask });
    const ds = await ensureDataset(spec, { root });
    assert.equal(ds.titles.length, 1);
    const b = await ds.batchAt(0);
    const [, F, M] = b.audioShape;
    let equalRows = 0, rows = 0;
    for (let e = 0; e < b.size; e++) {
      const as = b.as.subarray(e * F * M, (e + 1) * F * M);
      // A twin-dub a_s must look like an en window (440 Hz sine), fr (880 Hz) must not: compare the mel argmax per frame.
      const apRowPeak = (x: Float32Array, f: number) => { const r = x.subarray(f * M, (f + 1) * M); return r.indexOf(Math.max(...r)); };
      const ap = b.ap.subarray(e * F * M, (e + 1) * F * M);
      for (let f = 0; f < F; f++) { rows++; if (apRowPeak(as, f) === apRowPeak(ap, f)) equalRows++; }
      assert.equal(b.langS[e], lang);
    }
    if (same) assert.equal(equalRows, rows, 'identical audio in another language gives the same spectrum');
    else assert.ok(equalRows < rows / 4, `fr dub should differ: ${equalRows}/${rows} rows share a peak`);
    await ds.close();
  }
});

test('filters: original language, dub counts, fixed primary language, speech-removed source (with counts)', async () => {
  const warnings: string[] = [];
  const ev = { onWarning: (w: string) => warnings.push(w) };
  const en = await ensureDataset(testSpec(dir, { data: { filters: { original_language: { include: ['en'], exclude: [] } } } }), { root });
  assert.deepEqual(en.titles.map((t) => t.originalLanguage), ['en']);
  const notEn = await ensureDataset(testSpec(dir, { data: { filters: { original_language: { include: 'all', exclude: ['en'] } } } }), { root });
  assert.deepEqual(notEn.titles.map((t) => t.originalLanguage).sort(), ['de', 'ja']);
  const dubbed = await ensureDataset(testSpec(dir, { data: { filters: { dubs: { min: 1, max: null } } } }), { root });
  assert.equal(dubbed.titles.length, 2);
  assert.equal(dubbed.stats.avgDubs, (2 + 1) / 2);
  const primaryEn = await ensureDataset(testSpec(dir, { dubs: { policy: 'any', languages: [], primary: 'en' } }), { root, events: ev });
  assert.equal(primaryEn.titles.length, 2, 'solo (de only) has no en track');
  assert.ok(warnings.some((w) => w.includes('LSSD5013') && w.includes('1 title')));
  const bj = await primaryEn.batchAt(0);
  assert.ok(bj.langP.every((l) => l === 'en'));
  const sep = await ensureDataset(testSpec(dir, { views: { audio: { source: 'speech_removed' } } }), { root });
  assert.equal(sep.titles.length, 1);
  const bs = await sep.batchAt(0);
  assert.ok(bs.langP.every((l) => l === 'zxx') && bs.langS.every((l) => l === 'zxx'));
  assert.ok(bs.dubbed.every((d) => d === 0));
  const audioOnly = await ensureDataset(testSpec(dir, { model: { modality: 'audio_only', video: null } }), { root });
  const ba = await audioOnly.batchAt(0);
  assert.equal(ba.vp, null); assert.equal(ba.videoShape, null);
  for (const d of [en, notEn, dubbed, primaryEn, sep, audioOnly]) await d.close();
});

test('budget caps the shots deterministically, independent of the seed; batch size override keeps the share', async () => {
  const one = { per_device: 8, devices: 1, same_title_per_device: 1 };
  const a = await ensureDataset(testSpec(dir, { data: { budget: 3, batch: one } }), { root });
  const b = await ensureDataset(testSpec(dir, { data: { budget: 3, batch: one }, optim: { seed: 99 } }), { root });
  const shots = (d: typeof a) => d.titles.flatMap((t) => t.shots.map((s) => `${t.id}:${s.index}`));
  assert.equal(shots(a).length, 3);
  assert.deepEqual(shots(a), shots(b));
  const big = await ensureDataset(testSpec(dir, { data: { batch: { per_device: 16, devices: 1, same_title_per_device: 2 } } }), { root, batchSize: 4 });
  const bb = await big.batchAt(0);
  assert.equal(bb.size, 4);
  for (const d of [a, b, big]) await d.close();
  // Groups of 2: a title the budget leaves with one shot is completed by another, and counted.
  const warnings: string[] = [];
  const grouped = await ensureDataset(testSpec(dir, { data: { budget: 3 } }), { root, events: { onWarning: (w) => warnings.push(w) } });
  const lone = grouped.titles.filter((t) => t.shots.length < 2).length;
  assert.ok(lone > 0, 'the budget of 3 leaves a title with one shot');
  assert.ok(warnings.some((w) => w.includes(`${lone} of ${grouped.titles.length} title(s) have fewer than 2 shots`)), warnings.join('\n'));
  const gb = await grouped.batchAt(0);
  assert.equal(gb.size, 8);
  await grouped.close();
});

test('secondary views: the fallback share the plans give is the share of batches with dubbed = 0', async () => {
  // fixed(FR): only twin.mkv has an FR track; solo (DE) and jp (JA + EN) fall back.
  const spec = testSpec(dir, { dubs: { policy: 'fixed', languages: ['fr'], primary: 'original' } });
  const ds = await ensureDataset(spec, { root });
  const v = ds.secondaryViews!(12);
  let views = 0, fell = 0;
  for (let s = 0; s < 12; s++) { const b = await ds.batchAt(s); views += b.size; fell += b.dubbed.filter((x) => x === 0).length; }
  assert.deepEqual({ views: v.views, fellBack: v.fellBack, steps: v.steps, sampledSteps: v.sampledSteps }, { views, fellBack: fell, steps: 12, sampledSteps: 12 });
  assert.ok(v.fellBack > 0 && v.dubbed > 0, `both kinds occur: ${JSON.stringify(v)}`);
  assert.equal(v.fraction, fell / views);
  assert.equal(v.policy, 'fixed');
  await ds.close();
  const off = await ensureDataset(testSpec(dir, { dubs: { policy: 'off', languages: [], primary: 'original' } }), { root });
  const o = off.secondaryViews!(3);
  assert.deepEqual([o.views, o.fellBack, o.fraction], [24, 24, 1], 'policy off: every a_s is a second augmentation');
  await off.close();
});

test('pseudo-stereo datasets deliver two identical channels, without a warning', async () => {
  const warnings: string[] = [];
  const ds = await ensureDataset(testSpec(dir, { views: { audio: { channels: 'pseudo_stereo' } } }), { root, events: { onWarning: (w) => warnings.push(w) } });
  const b = await ds.batchAt(1);
  assert.equal(b.audioShape[3], 2);
  assert.equal(b.ap.length, b.audioShape.reduce((x, y) => x * y, 1));
  for (let i = 0; i < b.ap.length; i += 2) assert.equal(b.ap[i], b.ap[i + 1]);
  assert.deepEqual(warnings.filter((w) => /pseudo_stereo|mono/.test(w)), []);
  await ds.close();
});

test('a batch override keeps the group share, rounded down to a divisor of the batch', () => {
  assert.equal(overrideGroup(6, 13, 26), 3);
  assert.equal(overrideGroup(10, 4, 16), 2);
  assert.equal(overrideGroup(4, 2, 16), 1);
  assert.equal(overrideGroup(32, 8, 64), 4);
});

test('an external catalog is refused with one clear diagnostic', async () => {
  const spec = testSpec(dir, { data: { catalog: { kind: 'external', name: 'paper_catalog' } } });
  await assert.rejects(ensureDataset(spec, { root }), (e: unknown) => e instanceof LssdError && e.code === 'LSSD5010' && /paper scale/.test(e.message) && !!e.hint);
  const empty = testSpec(dir, { data: { filters: { original_language: { include: ['ko'], exclude: [] } } } });
  await assert.rejects(ensureDataset(empty, { root }), (e: unknown) => e instanceof LssdError && e.code === 'LSSD5012');
});

