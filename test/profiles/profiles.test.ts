// Scale profiles and catalog bindings (docs/language.md §4.5–4.6): every experiment under every stdlib
// profile checks clean on the data the profile binds; golden A4 @ cpu (resolved spec and Plan); the
// paper profile is the identity; bindings resolve with the documented precedence and are measured on
// an in-memory catalog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile, type CompileOptions } from '../../compiler/index.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { lower } from '../../compiler/lower.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import type { CatalogListing, ListedTitle } from '../../compiler/feasibility.ts';
import { nodeHost } from '../../runtime/host.ts';
import { catalogLister } from '../../runtime/catalog-listing.ts';
import { golden } from '../compiler/golden.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const host: CompilerHost = { ...nodeHost({ cwd: root }), catalogTitles: catalogLister(join(root, '.lssd-test-none')) };
const walk = (d: string): string[] => readdirSync(join(root, d), { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(`${d}/${e.name}`) : e.name.endsWith('.lssd') ? [`${d}/${e.name}`] : []));
const files = [...walk('stdlib'), ...walk('experiments')].sort();
const profiles = ['paper', 'cpu', 'cpu_smoke'];
const opts = (profile: string, more: CompileOptions = {}): CompileOptions => ({ profile, project: false, feasibility: true, ...more });

test('stdlib/profiles.lssd declares the profiles this test loops over', () => {
  const r = compileFile('stdlib/profiles.lssd', host, opts('cpu'));
  assert.deepEqual(r.diagnostics, []);
});

for (const profile of profiles) {
  test(`every stdlib and experiments file checks clean under --profile ${profile}`, () => {
    let experiments = 0;
    for (const f of files) {
      const r = compileFile(f, host, opts(profile));
      const bad = r.diagnostics.filter((d) => d.severity !== 'info');
      assert.deepEqual(bad, [], `${f} @ ${profile}:\n${renderDiagnostics(bad, r.value?.sources ?? new Map())}`);
      for (const s of r.value!.experiments) {
        experiments++;
        assert.equal(s.origin.profile?.name, profile);
        assert.match(s.label, new RegExp(` @ ${profile}$`));
        // The profiled spec still lowers to a Plan the runtime can run (LSSD4002 is only about size).
        if (profile !== 'paper') {
          const plan = lower(s, r.value!);
          assert.deepEqual(plan.diagnostics.filter((d) => d.severity === 'error'), [], `${f}: ${s.name} @ ${profile} lowers`);
        }
      }
    }
    assert.ok(experiments >= 19 + 11 + 4, `${experiments} experiments checked`);
  });
}

test('under cpu every Table 1 and Table B.3 experiment has data on the stand-in corpus', () => {
  for (const f of files.filter((x) => /^experiments\/(A|B|C)\d|^experiments\/controlled\//.test(x))) {
    const r = compileFile(f, host, opts('cpu'));
    const info = r.diagnostics.filter((d) => d.code === 'LSSD2057');
    assert.equal(info.length, r.value!.experiments.length, f);
    // The controlled setup keeps language parity (EN titles with all of ES, FR and JA dubbed): 2 titles
    // of the 24-title stand-in corpus, whose dubs are random subsets of its languages.
    const [titles, shots] = f.startsWith('experiments/controlled/') ? [2, 15] : [5, 40];
    for (const d of info) {
      const m = /: (\d+) of \d+ titles and (\d+) of \d+ shots pass/.exec(d.message);
      assert.ok(m && Number(m[1]) >= titles && Number(m[2]) >= shots, `${f}: ${d.message}`);
    }
  }
});

test('the paper profile is the identity: same stage hashes, only the label and provenance differ', () => {
  for (const f of files.filter((x) => x.startsWith('experiments/'))) {
    const a = compileFile(f, host, { project: false }).value!;
    const b = compileFile(f, host, opts('paper')).value!;
    a.experiments.forEach((s, i) => {
      const t = b.experiments[i];
      assert.deepEqual(stageHashes(t, (n) => b.all.get(n)), stageHashes(s, (n) => a.all.get(n)), `${f}: ${s.name}`);
      const { label: _l, origin: _o, ...rest } = t;
      const { label: _l2, origin: _o2, ...rest2 } = s;
      assert.deepEqual(rest, rest2);
      assert.equal(t.label, `${s.label} @ paper`);
    });
  }
});

test('A4 @ cpu: golden resolved spec and Plan; lineage runs through A2 @ cpu; hashes differ from A4', () => {
  const r = compileFile('experiments/A4.lssd', host, opts('cpu'));
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info'), []);
  const p = r.value!;
  const a4 = p.experiments[0];
  assert.equal(a4.label, 'A.4 @ cpu');
  assert.deepEqual(p.profile, { name: 'cpu', file: 'stdlib/profiles.lssd', label: 'cpu' });
  // What the experiment varies on purpose is kept.
  assert.deepEqual(a4.data.filters.original_language.include, ['en', 'es', 'fr']);
  assert.equal(a4.data.filters.dubs.min, 1);
  assert.equal(a4.dubs.policy, 'any');
  assert.deepEqual([a4.loss.lambda_v, a4.loss.lambda_a], [0, 0.2]);
  assert.deepEqual(a4.init, { kind: 'from', experiment: 'A2', file: 'experiments/A2.lssd', checkpoint: 'final' });
  // The scale is the profile's.
  assert.equal(a4.model.video?.name, 'cpu_video_s'); assert.equal(a4.model.audio.name, 'cpu_audio_s');
  assert.equal(a4.data.catalog.kind, 'synthetic');
  assert.deepEqual(a4.origin.catalog, { name: 'paper-movies-episodes', by: 'profile', file: 'stdlib/profiles.lssd' });
  assert.deepEqual(a4.optim.duration, { steps: 200 });
  assert.deepEqual(a4.data.batch, { per_device: 32, devices: 1, same_title_per_device: 4 }); // `3 per_device`: groups of 1 + 3
  assert.deepEqual(a4.probes.map((t) => t.task), ['synth_scene', 'synth_keyword', 'synth_speaker_count', 'synth_music_speech', 'synth_language_id', 'synth_video_speakers', 'synth_video_scene']);
  const a2 = p.all.get('A2')!;
  assert.equal(a2.label, 'A.2 @ cpu');
  const h = stageHashes(a4, (n) => p.all.get(n));
  const plain = compileFile('experiments/A4.lssd', host, { project: false }).value!;
  assert.notEqual(h.pretrain, stageHashes(plain.experiments[0], (n) => plain.all.get(n)).pretrain);
  // A2 @ cpu's hash is folded into A4 @ cpu's: with the unprofiled A2 as parent the hash would differ.
  assert.notEqual(stageHashes(a4, (n) => plain.all.get(n)).pretrain, h.pretrain);
  const plan = lower(a4, p);
  assert.deepEqual(plan.diagnostics.filter((d) => d.severity === 'error'), []);
  golden(join(root, 'test/cases/profiles/A4@cpu.resolved.json'), canonicalJson(a4, 2) + '\n');
  golden(join(root, 'test/cases/profiles/A4@cpu.plan.json'), canonicalJson(plan.value, 2) + '\n');
});

test('warm-up: epochs stay epochs of the profiled data; steps keep their share of training', () => {
  const q = compileFile('experiments/quickstart.lssd', host, opts('cpu')).value!.experiments[0];
  assert.deepEqual(q.optim.schedule.warmup, { steps: 3 }); // 20 of 1200 steps → 3 of 200
  const a1 = compileFile('experiments/A1.lssd', host, opts('cpu')).value!.experiments[0];
  assert.deepEqual(a1.optim.schedule.warmup, { epochs: 2 });
  const s = compileFile('experiments/quickstart.lssd', host, opts('cpu_smoke')).value!.experiments[0];
  assert.deepEqual([s.optim.duration, s.optim.schedule.warmup], [{ steps: 12 }, { steps: 0 }]); // 20 of 1200 → 0.2 of 12
});

// ---- bindings on an in-memory host --------------------------------------------------------------

const title = (ol: string, dubs: string[], shots: number[], kind: 'movie' | 'episode' = 'movie'): ListedTitle => {
  let t = 0;
  return {
    originalLanguage: ol, kind, video: { width: 64, height: 64 },
    audio: [{ stream: 1, language: ol, role: 'original' }, ...dubs.map((l, i) => ({ stream: i + 2, language: l, role: 'dub' as const }))],
    shots: shots.map((len) => { const s = { start: t, end: t + len }; t += len; return s; }),
  };
};
const LIBRARY: CatalogListing = {
  source: 'memory', titles: [title('en', ['es', 'fr'], [4, 5, 2]), title('en', [], [6]), title('fr', ['en'], [3, 3, 20], 'episode'), title('de', ['en', 'ja'], [5])],
};

function memHost(files: Record<string, string>, listings: Record<string, CatalogListing> = {}): CompilerHost & { asked: string[] } {
  const disk = nodeHost({ cwd: root });
  const asked: string[] = [];
  return {
    asked, stdlibDir: disk.stdlibDir,
    readFile: (p) => files[p] ?? (p.startsWith('stdlib/') ? disk.readFile(p) : undefined),
    resolveImport: (spec, from) => (spec.startsWith('./') ? spec.slice(2) : disk.resolveImport(spec, from)),
    catalogTitles(c) {
      const key = c.kind === 'index' || c.kind === 'file' ? c.path : c.kind;
      asked.push(key);
      return listings[key] ?? { missing: `nothing at ${key}` };
    },
  };
}

const EXP = 'import "paper"\nexperiment x extends paper_main {\n  data.titles { original_language = [EN, FR]  dubs = 1 .. }\n  data.expected.avg_dubs = 1.5\n  probes = [synth_scene]\n}\n';

test('a --catalog binding replaces the external catalog and is measured on its titles', () => {
  const h = memHost({ 'x.lssd': EXP }, { '/lib': LIBRARY });
  const r = compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes=/lib'], feasibility: true });
  const x = r.value!.experiments[0];
  assert.deepEqual(x.data.catalog, { kind: 'index', path: '/lib' });
  assert.deepEqual(x.origin.catalog, { name: 'paper-movies-episodes', by: 'flag' });
  assert.equal(x.label, 'x', 'a binding alone is no profile');
  const info = r.diagnostics.find((d) => d.code === 'LSSD2057')!;
  // en(2 dubs): 4 s and 5 s shots (2 s too short); fr(1 dub): 3 s, 3 s (20 s too long); en without dubs and de dropped.
  assert.match(info.message, /2 of 4 titles and 4 of 8 shots pass its filters/);
  assert.match(info.message, /1\.50 dubs per title on average \(expected 1\.5\); languages EN, ES, FR/);
  assert.equal(info.span?.file, '--catalog');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.code), []);
  assert.deepEqual(r.value!.bindings.map((b) => [b.binding.name, b.used]), [['paper-movies-episodes', true]]);
});

test('bindings: flags win over lssd.project; the project sets the default profile; a binding wins over the stand-in', () => {
  const project = 'project lab {\n  profile = cpu\n  catalogs = [bind("paper-movies-episodes", "/proj.jsonl")]\n}\n';
  const h = memHost({ 'x.lssd': EXP, 'lssd.project': project }, { '/proj.jsonl': LIBRARY, '/flag': LIBRARY });
  const viaProject = compileFile('x.lssd', h, { feasibility: true }).value!.experiments[0];
  assert.deepEqual(viaProject.data.catalog, { kind: 'file', path: '/proj.jsonl' });
  assert.equal(viaProject.label, 'x @ cpu');
  assert.deepEqual(viaProject.origin.catalog, { name: 'paper-movies-episodes', by: 'project' });
  const viaFlag = compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes=/flag'], profile: 'paper' }).value!.experiments[0];
  assert.deepEqual(viaFlag.data.catalog, { kind: 'index', path: '/flag' });
  assert.equal(viaFlag.label, 'x @ paper');
  const none = compileFile('x.lssd', h, { profile: 'none', project: false }).value!.experiments[0];
  assert.deepEqual([none.data.catalog, none.label], [{ kind: 'external', name: 'paper-movies-episodes' }, 'x']);
  const standIn = compileFile('x.lssd', h, { profile: 'cpu', project: false }).value!.experiments[0];
  assert.equal(standIn.data.catalog.kind, 'synthetic');
});

test('binding diagnostics: nothing left to train on, an unreadable catalog, a bad flag', () => {
  const h = memHost({ 'x.lssd': EXP.replace('[EN, FR]', '[KO]') }, { '/lib': LIBRARY });
  const empty = compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes=/lib'], feasibility: true });
  assert.ok(empty.diagnostics.some((d) => d.code === 'LSSD5012' && /dropped by original language 4/.test(d.message)));
  const missing = compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes=/nowhere'], feasibility: true });
  assert.ok(missing.diagnostics.some((d) => d.code === 'LSSD2058' && /nothing at \/nowhere/.test(d.message)));
  const bad = compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes'] });
  assert.deepEqual(bad.diagnostics.map((d) => d.code), ['LSSD2055']);
  // Without `feasibility` (show, diff, table) nothing is read.
  h.asked.length = 0;
  compileFile('x.lssd', h, { catalogs: ['paper-movies-episodes=/lib'] });
  assert.deepEqual(h.asked, []);
});

test('a profile only sets scale: the fields experiments vary are refused, with the profile span', () => {
  const src = 'import "paper"\nprofile mine extends cpu { dubs.policy = any  optim.seed = 3 }\nexperiment x extends paper_main { }\n';
  const r = compileFile('x.lssd', memHost({ 'x.lssd': src }), { profile: 'mine' });
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span?.start.line]), [['LSSD2052', 2], ['LSSD2052', 2]]);
  assert.ok(r.diagnostics.every((d) => d.severity === 'error'));
});
