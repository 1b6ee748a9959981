// A binding to a real media directory, indexed by `lssdc data index` (runtime/media/index.ts): `check`
// finds that index under <root>/catalogs/ (same cut settings) and reports what the experiment's
// filters admit, with the same counts the runtime's filters give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/index.ts';
import { nodeHost } from '../../runtime/host.ts';
import { catalogLister } from '../../runtime/catalog-listing.ts';
import { indexDirectory } from '../../runtime/media/index.ts';
import { filterTitles } from '../../runtime/media/ensure.ts';
import { makeTitle } from '../media/make-media.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('--catalog NAME=DIR on an indexed library: counts agree with the runtime filters', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'lssd-bind-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const lib = join(tmp, 'library'); const state = join(tmp, '.lssd');
  mkdirSync(lib);
  await makeTitle(join(lib, 'alpha.mkv'), { shots: [4, 5, 3.5], audio: [{ lang: 'eng', title: 'original', freq: 440 }, { lang: 'spa', title: 'dub', freq: 660 }] });
  await makeTitle(join(lib, 'beta.mkv'), { shots: [4, 4], audio: [{ lang: 'fre', title: 'original', freq: 500 }] });
  const host = { ...nodeHost({ cwd: root }), catalogTitles: catalogLister(state) };
  const opts = { catalogs: [`paper-movies-episodes=${lib}`], project: false as const, feasibility: true };
  const src = 'experiments/A1.lssd';

  const before = compileFile(src, host, opts);
  const unread = before.diagnostics.find((d) => d.code === 'LSSD2058');
  assert.ok(unread, 'not indexed yet');
  assert.match(unread.message, new RegExp(`run \`lssdc data index ${lib.replace(/[/.]/g, '\\$&')}\``));

  const idx = await indexDirectory(lib, { root: state, method: 'scene', threshold: 0.3 });
  assert.equal(idx.titles.length, 2);
  const r = compileFile(src, host, opts);
  const a1 = r.value!.experiments[0];
  assert.deepEqual(a1.data.catalog, { kind: 'index', path: lib });
  const info = r.diagnostics.find((d) => d.code === 'LSSD2057');
  assert.ok(info, r.diagnostics.map((d) => d.message).join('\n'));
  const kept = filterTitles(idx.titles, a1).kept; // A.1: EN/ES/FR originals with at least one dub → alpha only
  assert.equal(kept.length, 1);
  const shots = kept[0].shots.filter((s) => s.end - s.start >= a1.data.shots.min_length - 1e-6 && s.end - s.start <= a1.data.shots.max_length + 1e-6).length;
  assert.match(info.message, new RegExp(`: 1 of 2 titles and ${shots} of \\d+ shots pass its filters`));
  assert.match(info.message, /1\.00 dubs per title on average \(expected 2\.8\); languages EN, ES/);
  // A user-bound library far from Table 1's 2.8 dubs per title is worth a warning.
  assert.ok(r.diagnostics.some((d) => d.code === 'LSSD2041' && d.severity === 'warning'));
});
