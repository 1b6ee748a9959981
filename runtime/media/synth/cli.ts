// `lssdc data synth [--out DIR] [--titles N] [--minutes M] [--seed S] [--languages en,es,…]`:
// generates (or resumes) the synthetic dub corpus with a progress line and a one-paragraph summary.
// Without --out it writes where a spec's `catalog = synthetic(…)` with the same parameters looks
// (<data-dir>/data/synthetic/<hash>/), so a later `lssdc run` finds it ready.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { corpusDir, synthesize } from './index.ts';
import { DEFAULT_KNOBS, corpusKnobSummary, knobLines, type GeneratorKnobs } from './knobs.ts';
import { LANGS } from './bank.ts';
import { SynthCodes, LssdError } from './errors.ts';
import { DEFAULT_DUBBING, DEFAULT_LOUDNESS_TARGET, DEFAULT_ROOM, canonicalDubbing, corpusDubbingSummary, dubbingLines, type Dubbing } from './dubbing.ts';

export const SYNTH_USAGE = `usage: lssdc data synth [options]

Generates the synthetic counterfactual (dub) corpus: titles of shots with scene looks and sound beds,
speakers voiced by eSpeak NG, dubs in other languages in the same time slots, a speech-removed stem,
ground truth and HEAR-format probe tasks. Deterministic from the seed; re-running resumes.

options:
  --out DIR             output directory (default <data-dir>/data/synthetic/<hash of the parameters>)
  --root DIR            the .lssd directory used when --out is absent (default <project>/.lssd; --data-dir is the same)
  --titles N            number of titles (default 24)
  --minutes M           minutes per title (default 1; fractions allowed, e.g. 0.5)
  --seed S              random seed (default 0)
  --languages L,L,...   ISO 639-1 codes from ${LANGS.join(',')} (default all; the first is the most common original)
  --concurrency N       titles rendered at once (default 2)
  --probe-clips N       probe clips per class in each task (default 20)
  --language-look S     language → look strength: none (default) or 0..1 (P(colour-grade family = the original language's))
  --content-scene S     content → scene strength 0..1 (default 0: P(a line is about its scene's topic))
  --language-voice S    language → voice strength 0..1 (default 0: S × each language's pitch/formant register)
  --speech-to-bed DB    speech over the reference bed in dB (default 7)
  --dubs MIN..MAX       dubs per title (default 0..6)
  --speakers N          most speakers in one shot, 0..3 (default 3)
  --voice-match on|off  a character keeps one voice in every language (default on)
  --loudness L          bs1770 (default: original dialogue at -23 LUFS, dub lines matched to it), a target
                        such as -20LUFS, or off (eSpeak's own levels)
  --eq-match on|off     dubs EQ-matched to the original speaker (default on)
  --room R              gap (default: on the original only), shared (every track) or dry, optionally
                        with rt60 and wet level: gap:0.5s,-10dB
  --json                print the summary as JSON`;

export interface SynthArgs { out?: string; dataDir: string; titles: number; minutes: number; seed: number; languages: string[]; concurrency: number; probeClips: number; json: boolean; knobs: GeneratorKnobs; dubbing: Dubbing }

/** Value options of `data synth` (parsed by cli/args.ts; typed here). */
export const SYNTH_OPTIONS = ['--out', '--data-dir', '--titles', '--minutes', '--seed', '--languages', '--concurrency', '--probe-clips', '--language-look', '--content-scene', '--language-voice', '--speech-to-bed', '--dubs', '--speakers', '--voice-match', '--loudness', '--eq-match', '--room'] as const;

/** Types the parsed options of `data synth` (defaults applied); a string is the usage error. */
export function synthArgs(values: ReadonlyMap<string, string>, json: boolean): SynthArgs | string {
  const a: SynthArgs = { dataDir: '.lssd', titles: 24, minutes: 1, seed: 0, languages: [...LANGS], concurrency: 2, probeClips: 20, json, knobs: { ...DEFAULT_KNOBS, dubs: { ...DEFAULT_KNOBS.dubs } }, dubbing: canonicalDubbing(DEFAULT_DUBBING) };
  const num = (k: string, v: string, int: boolean): number | string => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n))) return `${k} expects ${int ? 'a whole number' : 'a number'}, got '${v}'`;
    return n;
  };
  for (const [k, v] of values) {
    let n: number | string;
    switch (k) {
      case '--out': a.out = v; break;
      case '--data-dir': a.dataDir = v; break;
      case '--titles': if (typeof (n = num(k, v, true)) === 'string') return n; a.titles = n; break;
      case '--minutes': if (typeof (n = num(k, v, false)) === 'string') return n; a.minutes = n; break;
      case '--seed': if (typeof (n = num(k, v, true)) === 'string') return n; a.seed = n; break;
      case '--concurrency': if (typeof (n = num(k, v, true)) === 'string') return n; a.concurrency = n; break;
      case '--probe-clips': if (typeof (n = num(k, v, true)) === 'string') return n; a.probeClips = n; break;
      case '--language-look': if (v.trim() === 'none') { a.knobs.languageLook = null; break; } if (typeof (n = num(k, v, false)) === 'string') return n; a.knobs.languageLook = n; break;
      case '--content-scene': if (typeof (n = num(k, v, false)) === 'string') return n; a.knobs.contentScene = n; break;
      case '--language-voice': if (typeof (n = num(k, v, false)) === 'string') return n; a.knobs.languageVoice = n; break;
      case '--speech-to-bed': if (typeof (n = num(k, v.replace(/dB$/, ''), false)) === 'string') return n; a.knobs.speechToBedDb = n; break;
      case '--speakers': if (typeof (n = num(k, v, true)) === 'string') return n; a.knobs.maxSpeakers = n; break;
      case '--dubs': {
        const m = /^\s*(\d+)\s*(?:\.\.\s*(\d+)\s*)?$/.exec(v);
        if (!m) return `--dubs expects MIN..MAX (or one number), got '${v}'`;
        a.knobs.dubs = { min: Number(m[1]), max: Number(m[2] ?? m[1]) };
        break;
      }
      case '--voice-match': case '--eq-match': {
        if (v !== 'on' && v !== 'off') return `${k} expects on or off, got '${v}'`;
        if (k === '--voice-match') a.dubbing.voice_match = v === 'on'; else a.dubbing.eq_match = v === 'on';
        break;
      }
      case '--loudness': {
        if (v === 'off') { a.dubbing.loudness = { method: 'off' }; break; }
        if (v === 'bs1770') { a.dubbing.loudness = { method: 'bs1770', target: DEFAULT_LOUDNESS_TARGET }; break; }
        const m = /^\s*(-?\d+(?:\.\d+)?)\s*(?:LUFS)?\s*$/.exec(v);
        if (!m) return `--loudness expects bs1770, off or a target such as -23LUFS, got '${v}'`;
        a.dubbing.loudness = { method: 'bs1770', target: Number(m[1]) };
        break;
      }
      case '--room': {
        const m = /^(dry|gap|shared)(?::\s*(\d+(?:\.\d+)?)\s*(s|ms)?\s*,\s*(-?\d+(?:\.\d+)?)\s*(?:dB)?\s*)?$/.exec(v.trim());
        if (!m) return `--room expects dry, gap or shared, optionally with rt60 and wet level (gap:0.5s,-10dB), got '${v}'`;
        if (m[1] === 'dry') { if (m[2]) return `--room dry takes no rt60 or wet level, got '${v}'`; a.dubbing.room = { kind: 'dry' }; break; }
        const dflt = DEFAULT_ROOM;
        a.dubbing.room = { kind: m[1] as 'gap' | 'shared', rt60: m[2] ? Number(m[2]) * (m[3] === 'ms' ? 1e-3 : 1) : dflt.rt60, wet: m[4] ? Number(m[4]) : dflt.wet };
        break;
      }
      case '--languages': a.languages = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean); break;
      default: return `unknown option '${k}'`;
    }
  }
  return a;
}

/** The synth usage error line, with its code. */
export function synthUsageError(message: string): string {
  return `error ${SynthCodes.badArgument}: ${message}\n\n${SYNTH_USAGE}\n`;
}

function duSync(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? duSync(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

/** Runs `data synth` with typed options; returns the exit code (0 ok, 1 error). Never throws. */
export async function runSynth(p: SynthArgs): Promise<number> {
  const k = p.knobs;
  const out = p.out ?? corpusDir({
    kind: 'synthetic', titles: p.titles, minutes_per_title: p.minutes, seed: p.seed, languages: p.languages,
    ...(k.languageLook !== null ? { language_look: k.languageLook } : {}), content_scene: k.contentScene, speech_to_bed: k.speechToBedDb,
    dubs_per_title: k.dubs, max_speakers: k.maxSpeakers, language_voice: k.languageVoice, ...p.dubbing,
  }, p.dataDir);
  const tty = process.stderr.isTTY && !p.json;
  const ac = new AbortController();
  const onSig = () => ac.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const t0 = Date.now();
  let last = '';
  try {
    const r = await synthesize({
      outDir: out, titles: p.titles, minutesPerTitle: p.minutes, seed: p.seed, languages: p.languages,
      concurrency: p.concurrency, probeClipsPerClass: p.probeClips, signal: ac.signal, knobs: p.knobs, dubbing: p.dubbing,
      onProgress: (e) => {
        const line = `synth ${e.done}/${e.total} ${((Date.now() - t0) / 1000).toFixed(0)}s ${e.detail ?? ''}`;
        if (p.json) return;
        if (tty) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
        else if (line !== last) process.stderr.write(line + '\n');
        last = line;
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const manifest = JSON.parse(readFileSync(join(r.dir, 'corpus.json'), 'utf8')) as { titles: string[]; languages: string[]; tasks: string[] };
    const truths = manifest.titles.map((id) => JSON.parse(readFileSync(join(r.dir, 'truth', `${id}.json`), 'utf8')) as { dubs: string[]; duration: number; shots: unknown[] });
    const summary = {
      dir: r.dir,
      titles: r.titles,
      hours: truths.reduce((s, t) => s + t.duration, 0) / 3600,
      shots: truths.reduce((s, t) => s + t.shots.length, 0),
      avgDubs: truths.reduce((s, t) => s + t.dubs.length, 0) / truths.length,
      titlesWithoutDubs: truths.filter((t) => t.dubs.length === 0).length,
      languages: manifest.languages,
      tasks: manifest.tasks,
      megabytes: duSync(r.dir) / 1e6,
      seconds: r.seconds,
      ...corpusKnobSummary(r.dir),
      dubbing: corpusDubbingSummary(r.dir),
    };
    if (p.json) process.stdout.write(JSON.stringify(summary) + '\n');
    else {
      const rel = relative(process.cwd(), resolve(r.dir)) || '.';
      process.stdout.write(
        `synthetic corpus ready: ${rel}\n` +
        `  ${summary.titles} titles, ${summary.shots} shots, ${(summary.hours * 60).toFixed(1)} min, ${summary.avgDubs.toFixed(2)} dubs/title (${summary.titlesWithoutDubs} without dubs)\n` +
        `  languages ${summary.languages.join(',')}; probe tasks ${summary.tasks.join(', ')}\n` +
        knobLines(summary).map((l) => `  ${l}\n`).join('') +
        (summary.dubbing ? dubbingLines(summary.dubbing).map((l) => `  dubbing: ${l}\n`).join('') : '') +
        `  ${summary.megabytes.toFixed(1)} MB, ${summary.seconds.toFixed(1)} s\n`,
      );
    }
    return 0;
  } catch (e) {
    if (tty) process.stderr.write('\r\x1b[K');
    if (e instanceof LssdError) { process.stderr.write(e.line() + '\n'); return 1; }
    process.stderr.write(`error ${SynthCodes.renderFailed}: ${(e as Error)?.message?.split('\n')[0] ?? String(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}
