// fmt properties: for every .lssd in the repo (stdlib, experiments, golden cases that parse),
// parse(format(f)) has f's AST, every comment survives, and format is idempotent. Plus layout cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '../../grammar/index.ts';
import { format } from '../../compiler/fmt.ts';
import { commentTexts, stripAst } from './ast-util.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files: string[] = [];
const walk = (d: string) => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p); else if (n.endsWith('.lssd')) files.push(relative(root, p));
  }
};
for (const d of ['stdlib', 'experiments', 'test/cases']) walk(join(root, d));

const fmt = (name: string, text: string) => {
  const r = parse({ name, text });
  return { r, out: r.diagnostics.length ? undefined : format(r.value!) };
};

test('fmt round-trips and is idempotent on every .lssd file in the repo', () => {
  let n = 0;
  for (const f of files) {
    const text = readFileSync(join(root, f), 'utf8');
    const { r, out } = fmt(f, text);
    if (out === undefined) continue; // syntax-error cases
    n++;
    const again = parse({ name: f, text: out });
    assert.deepEqual(again.diagnostics, [], `${f}: formatted output does not parse`);
    assert.deepEqual(stripAst(again.value!), stripAst(r.value!), `${f}: AST changed by fmt`);
    assert.deepEqual(commentTexts(again.value!), commentTexts(r.value!), `${f}: comments changed by fmt`);
    assert.equal(format(again.value!), out, `${f}: fmt is not idempotent`);
  }
  assert.ok(n > 40, `only ${n} files formatted`);
});

test('every file under stdlib/ and experiments/ is already formatted', () => {
  for (const f of files.filter((x) => x.startsWith('stdlib/') || x.startsWith('experiments/'))) {
    const text = readFileSync(join(root, f), 'utf8');
    assert.equal(fmt(f, text).out, text, `${f} is not in canonical layout (run lssdc fmt)`);
  }
});

test('layout: one-line sections, blank-line groups, comments, wrapping, units', () => {
  const src = [
    '// header',
    'import "cpu"',
    '/// Doc line.',
    'experiment x extends cpu_small {   label="x"',
    '  data.batch{per_device=32 same_title=1/8}  // trailing',
    '',
    '',
    '  // own line',
    '  optim.duration = 300   steps',
    '  views.audio.sample_rate = 16 kHz',
    '  probes = [synth_scene, synth_speaker_count, synth_language_id, synth_keyword, synth_music_speech, synth_video_scene]',
    '}',
  ].join('\n');
  const { out } = fmt('x.lssd', src);
  assert.equal(out, [
    '// header',
    'import "cpu"',
    '',
    '/// Doc line.',
    'experiment x extends cpu_small {',
    '  label = "x"',
    '  data.batch { per_device = 32  same_title = 1/8 }  // trailing',
    '',
    '  // own line',
    '  optim.duration = 300 steps',
    '  views.audio.sample_rate = 16kHz',
    '  probes = [synth_scene, synth_speaker_count, synth_language_id, synth_keyword, synth_music_speech,',
    '            synth_video_scene]',
    '}',
    '',
  ].join('\n'));
});

test('grid layout', () => {
  const src = 'grid g extends b {\naxis d=[off as "x",any]->dubs.policy\nzip(a,b)\nexclude{d=off}\nwhen{d=any}{init from cell(d=off)}\nname="g{d}"\n}\n';
  const { out } = fmt('g.lssd', src);
  assert.equal(out, 'grid g extends b {\n  axis d = [off as "x", any] -> dubs.policy\n  zip(a, b)\n  exclude { d = off }\n  when { d = any } { init from cell(d = off) }\n  name = "g{d}"\n}\n');
});

test('a number with a multiplier keeps the space before its unit (`8M s` is not `8Ms`)', () => {
  const { r, out } = fmt('x.lssd', 'experiment x {\n  a = 8M s\n  b = 2K steps\n  c = 3 s\n}\n');
  assert.equal(out, 'experiment x {\n  a = 8M s\n  b = 2K steps\n  c = 3s\n}\n');
  assert.deepEqual(stripAst(parse({ name: 'x.lssd', text: out! }).value!), stripAst(r.value!));
});
