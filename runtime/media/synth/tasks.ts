// Probe tasks in the HEAR task-directory format (task_metadata.json, foldNN.json, labelvocabulary.csv,
// <rate>/<fold>/*.wav), plus two video tasks in the same layout with clips under video/<fold>/*.mp4.
// Every clip is synthesised fresh from its own random stream with held-out speakers (PROBE_VARIANTS),
// never cut from the pretraining titles, so probes measure generalisation.
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ffmpeg } from '../ffmpeg.ts';
import { rng, type Rng } from './rng.ts';
import { SR, addInto, fitLength, limitPeak, normaliseLoudness, rms, scale, undb, wavBytes } from './dsp.ts';
import { BED_LEVEL, SCENES, VIDEO, bed, lookGraph, music, type OnScreen, type Scene } from './scenes.ts';
import { KEYWORDS, SENTENCES, type SynthLang } from './bank.ts';
import { PROBE_VARIANTS, speak, type Voice } from './espeak.ts';
import { SPEECH_LEVEL, runBounded } from './render.ts';
import { SynthCodes, synthError } from './errors.ts';
import { withRegister } from './knobs.ts';

export const AUDIO_TASKS = ['scene', 'speaker_count', 'language_id', 'keyword', 'music_speech'] as const;
export const VIDEO_TASKS = ['video_scene', 'video_speakers'] as const;
export const TASKS = [...AUDIO_TASKS, ...VIDEO_TASKS] as const;
export type TaskName = (typeof TASKS)[number];

const NFOLDS = 5;
const folds = Array.from({ length: NFOLDS }, (_, i) => `fold${String(i).padStart(2, '0')}`);

interface Clip { name: string; label: string; lang?: SynthLang }

export interface TaskOptions {
  seed: number;
  languages: SynthLang[];
  /** Clips per class (default 20); tasks with fewer than 6 classes get more per class (≥ 6 × perClass clips per task). */
  perClass: number;
  /** Language → voice strength (knobs.ts, default 0): probe voices carry their language's register as the titles' do. */
  languageVoice?: number;
  signal?: AbortSignal;
}

/** Keywords are spoken in one language (English when present) so the task is about the word, not the language. */
export const keywordLanguage = (langs: SynthLang[]): SynthLang => (langs.includes('en') ? 'en' : langs[0]);

function probeVoice(r: Rng, lang: SynthLang): Voice {
  return { lang, variant: r.pick(PROBE_VARIANTS), pitch: r.int(25, 75), rate: r.int(140, 190) };
}

/** Speech of `text` fitted into at most `max` seconds (longer utterances fade out at the limit). */
async function utterance(text: string, v: Voice, max: number): Promise<Float32Array> {
  const a = await speak(text, v);
  const n = Math.round(max * SR);
  return a.length <= n ? a : fadeOut(fitLength(a, n), Math.round(0.1 * SR));
}

function fadeOut(x: Float32Array, m: number): Float32Array {
  for (let i = 0; i < Math.min(m, x.length); i++) x[x.length - 1 - i] *= i / m;
  return x;
}

function bedClip(scene: Scene, r: Rng, n: number, offsetDb = 0): Float32Array {
  return scale(bed(scene, r, n), undb(BED_LEVEL[scene] + offsetDb + r.uniform(-2, 2)));
}

/** Speech stem at the corpus speech level ± jitter, added into `mix`. */
function addSpeech(mix: Float32Array, speech: Float32Array, at: number, r: Rng): void {
  const s = Float32Array.from(speech);
  normaliseLoudness(s, SPEECH_LEVEL + r.uniform(-3, 3));
  addInto(mix, s, at);
}

/** Back-to-back sentences in `lang` from a random start until the clip's last half second. */
async function speakUntilFull(y: Float32Array, n: number, lang: SynthLang, v: Voice, r: Rng): Promise<void> {
  let at = r.int(0, SR / 4);
  while (at < n - SR / 2) {
    const a = await utterance(r.pick(SENTENCES).text[lang], v, (n - at) / SR);
    addSpeech(y, a, at, r);
    at += a.length + r.int(SR / 10, SR / 3);
  }
}

/** Final level jitter so loudness is not a shortcut for any label. */
const finish = (x: Float32Array, r: Rng) => limitPeak(scale(x, undb(r.uniform(-4, 4))));

/** Makes one clip; `lang` is the clip's assigned speech language (balanced across clips). */
type Maker = (r: Rng, label: string, lang: SynthLang) => Promise<Float32Array>;

interface AudioTaskDef { labels: string[]; seconds: number; make: Maker }

function audioTasks(o: TaskOptions): Record<(typeof AUDIO_TASKS)[number], AudioTaskDef> {
  const langs = o.languages;
  const kwLang = keywordLanguage(langs);
  // applied after every draw, so clips at strength 0 are exactly those before the knob
  const reg = (v: Voice): Voice => withRegister(v, langs, o.languageVoice ?? 0);
  return {
    scene: {
      labels: [...SCENES], seconds: 3,
      make: async (r, label, lang) => {
        const n = 3 * SR, y = bedClip(label as Scene, r, n);
        if (r.chance(0.5)) addSpeech(y, await utterance(r.pick(SENTENCES).text[lang], reg(probeVoice(r, lang)), 2.6), r.int(0, SR / 3), r);
        return finish(y, r);
      },
    },
    speaker_count: {
      labels: ['0', '1', '2', '3'], seconds: 4,
      make: async (r, label, lang) => {
        const n = 4 * SR, k = Number(label), y = bedClip(r.pick(SCENES), r, n, -6);
        const variants = r.shuffle([...PROBE_VARIANTS]);
        for (let i = 0; i < k; i++) {
          const v: Voice = reg({ ...probeVoice(r, lang), variant: variants[i], pitch: 15 + i * 25 + r.int(0, 15) });
          const slot = 4 / k;
          addSpeech(y, await utterance(r.pick(SENTENCES).text[lang], v, slot - 0.1), Math.round(i * slot * SR), r);
        }
        return finish(y, r);
      },
    },
    language_id: {
      labels: [...langs], seconds: 3,
      make: async (r, label) => {
        const n = 3 * SR, lang = label as SynthLang, y = bedClip(r.pick(SCENES), r, n, -14);
        const v = reg({ ...probeVoice(r, lang), pitch: r.int(35, 65) });
        await speakUntilFull(y, n, lang, v, r);
        return finish(y, r);
      },
    },
    keyword: {
      labels: KEYWORDS.map((k) => k.id), seconds: 2,
      make: async (r, label) => {
        const n = 2 * SR, y = bedClip(r.pick(SCENES), r, n, -8);
        const word = KEYWORDS.find((k) => k.id === label)!.word[kwLang];
        const a = await utterance(word, reg(probeVoice(r, kwLang)), 1.6);
        addSpeech(y, a, r.int(0, Math.max(0, n - a.length)), r);
        return finish(y, r);
      },
    },
    music_speech: {
      labels: ['music', 'speech'], seconds: 3,
      make: async (r, label, lang) => {
        const n = 3 * SR;
        if (label === 'music') { const m = music(r, n); return finish(scale(m, undb(-20) / Math.max(1e-9, rms(m))), r); }
        const y = new Float32Array(n), v = reg(probeVoice(r, lang));
        await speakUntilFull(y, n, lang, v, r);
        return finish(y, r);
      },
    },
  };
}

/** Stratified fold assignment: each class's clips are shuffled and dealt across the folds. */
function assignFolds(clips: Clip[], r: Rng): Map<string, Clip[]> {
  const byFold = new Map(folds.map((f) => [f, [] as Clip[]]));
  const byLabel = new Map<string, Clip[]>();
  for (const c of clips) byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), c]);
  let k = 0;
  for (const [, cs] of [...byLabel].sort(([a], [b]) => a.localeCompare(b))) for (const c of r.shuffle(cs)) byFold.get(folds[k++ % NFOLDS])!.push(c);
  return byFold;
}

function metadata(task: string, labels: string[], seconds: number, extra: Record<string, unknown> = {}) {
  return {
    task_name: task,
    version: '1.0.0',
    embedding_type: 'scene',
    prediction_type: 'multiclass',
    split_mode: 'new_split_kfold',
    nfolds: NFOLDS,
    sample_duration: seconds,
    evaluation: ['top1_acc'],
    extract_splits: ['train'],
    default_mode: 'full',
    mode: 'full',
    splits: folds,
    ...extra,
    generator: 'lssd data synth',
    num_labels: labels.length,
  };
}

function writeCommon(dir: string, task: string, labels: string[], seconds: number, byFold: Map<string, Clip[]>, extra?: Record<string, unknown>): void {
  writeFileSync(join(dir, 'task_metadata.json'), JSON.stringify(metadata(task, labels, seconds, extra), null, 1) + '\n');
  writeFileSync(join(dir, 'labelvocabulary.csv'), 'idx,label\n' + labels.map((l, i) => `${i},${l}`).join('\n') + '\n');
  for (const [f, cs] of byFold) {
    const m: Record<string, string[]> = {};
    for (const c of [...cs].sort((a, b) => a.name.localeCompare(b.name))) m[c.name] = [c.label];
    writeFileSync(join(dir, `${f}.json`), JSON.stringify(m, null, 1) + '\n');
  }
}

/** Builds one task into `<tasksDir>/.<task>.tmp-<pid>` and renames it into place when complete. */
function staged(tasksDir: string, task: string): { tmp: string; commit(): void } {
  const tmp = join(tasksDir, `.${task}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return {
    tmp,
    commit: () => {
      const final = join(tasksDir, task);
      rmSync(final, { recursive: true, force: true });
      renameSync(tmp, final);
    },
  };
}

export const taskDone = (tasksDir: string, task: string) => existsSync(join(tasksDir, task, 'task_metadata.json'));

export async function writeAudioTask(tasksDir: string, task: (typeof AUDIO_TASKS)[number], o: TaskOptions): Promise<number> {
  const def = audioTasks(o)[task];
  const r = rng(o.seed, `probe/${task}`);
  const clips: Clip[] = [];
  // tasks with few classes get more clips per class, so every task has at least 6 × perClass clips
  // language ID is the hardest (speaker variation swamps a language's spectrum): 1.5× the clips
  const perClass = Math.max(Math.ceil(o.perClass * (task === 'language_id' ? 1.5 : 1)), Math.ceil((6 * o.perClass) / def.labels.length));
  def.labels.forEach((label) => { for (let i = 0; i < perClass; i++) clips.push({ name: '', label }); });
  r.shuffle(clips).forEach((c, i) => {
    c.name = `${task}-${String(i).padStart(4, '0')}.wav`;
    c.lang = task === 'language_id' ? (c.label as SynthLang) : task === 'keyword' ? keywordLanguage(o.languages) : o.languages[i % o.languages.length];
  });
  const byFold = assignFolds(clips, r.fork('folds'));
  const st = staged(tasksDir, task);
  const foldOf = new Map<string, string>();
  for (const [f, cs] of byFold) {
    mkdirSync(join(st.tmp, String(SR), f), { recursive: true });
    for (const c of cs) foldOf.set(c.name, f);
  }
  // grouped by language: eSpeak reloads its dictionary on every language switch
  for (const c of [...clips].sort((a, b) => a.lang!.localeCompare(b.lang!) || a.name.localeCompare(b.name))) {
    o.signal?.throwIfAborted();
    const y = await def.make(r.fork(c.name), c.label, c.lang!);
    writeFileSync(join(st.tmp, String(SR), foldOf.get(c.name)!, c.name), wavBytes(fitLength(y, Math.round(def.seconds * SR))));
  }
  writeCommon(st.tmp, task, def.labels, def.seconds, byFold);
  st.commit();
  return clips.length;
}

/**
 * video_scene and video_speakers share one set of clips (scene and on-screen speaker count drawn
 * independently, both balanced); clips are rendered in batches, one ffmpeg process per batch, cut
 * into files by the segment muxer, and hard-linked into both task directories.
 */
export async function writeVideoTasks(tasksDir: string, o: TaskOptions): Promise<number> {
  const seconds = 2;
  const r = rng(o.seed, 'probe/video');
  const n = SCENES.length * o.perClass;
  const counts = r.shuffle(Array.from({ length: n }, (_, i) => String(i % 4)));
  const clips = r.shuffle(Array.from({ length: n }, (_, i) => ({ scene: SCENES[i % SCENES.length], speakers: counts[i], name: '' })));
  clips.forEach((c, i) => { c.name = `vclip-${String(i).padStart(4, '0')}.mp4`; });

  const render = join(tasksDir, `.video.tmp-${process.pid}`);
  rmSync(render, { recursive: true, force: true });
  mkdirSync(render, { recursive: true });
  const BATCH = 32;
  for (let b = 0; b < clips.length; b += BATCH) {
    o.signal?.throwIfAborted();
    const batch = clips.slice(b, b + BATCH);
    const graph: string[] = [];
    batch.forEach((c, i) => {
      const cr = r.fork(c.name);
      const people: OnScreen[] = Array.from({ length: Number(c.speakers) }, () => {
        const t0 = cr.uniform(0, 1);
        return { skin: cr.pick([0xf1c27d, 0xc68642, 0x8d5524, 0xffdbac]), shirt: cr.pick([0x3050a0, 0xa03030, 0x30a050, 0xd0a020, 0x7030a0]), talk: [[t0, t0 + cr.uniform(0.5, 1)]] };
      });
      graph.push(...lookGraph(c.scene, cr, seconds, people, `k${i}_`, `c${i}`));
    });
    graph.push(`${batch.map((_, i) => `[c${i}]`).join('')}concat=n=${batch.length}:v=1:a=0,fps=${VIDEO.fps},format=yuv420p[v]`);
    const graphPath = join(render, `graph-${b}.txt`);
    writeFileSync(graphPath, graph.join(';\n'));
    const times = batch.slice(1).map((_, i) => (i + 1) * seconds).join(',');
    const cmd = ffmpeg()
      .input('anullsrc=r=16000:cl=mono').inputFormat('lavfi') // fluent-ffmpeg needs one input; never mapped
      .outputOptions(
        '-threads', '1', '-filter_complex_threads', '1', '-filter_complex_script', graphPath, '-map', '[v]',
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-pix_fmt', 'yuv420p',
        '-force_key_frames', times || '0', '-t', String(batch.length * seconds),
        '-f', 'segment', '-segment_times', times || String(seconds * 2), '-reset_timestamps', '1',
        '-segment_format', 'mp4', // (-segment_start_number breaks -segment_times in this ffmpeg: name by batch instead)
      ).output(join(render, `seg-${String(b).padStart(5, '0')}-%03d.mp4`));
    try {
      await runBounded(cmd, batch.length * seconds, o.signal);
    } catch (e) {
      o.signal?.throwIfAborted();
      throw synthError(SynthCodes.renderFailed, `ffmpeg failed rendering video probe clips: ${(e as Error).message.split('\n')[0]}`, { path: render });
    }
  }
  const produced = readdirSync(render).filter((f) => f.startsWith('seg-')).length;
  if (produced !== clips.length) throw synthError(SynthCodes.renderFailed, `expected ${clips.length} video probe clips, ffmpeg wrote ${produced}`, { path: render });

  for (const [task, labelOf, labels] of [
    ['video_scene', (c: (typeof clips)[number]) => c.scene, [...SCENES]],
    ['video_speakers', (c: (typeof clips)[number]) => c.speakers, ['0', '1', '2', '3']],
  ] as const) {
    const items = clips.map((c, i) => ({ clip: { name: c.name, label: labelOf(c) }, src: join(render, `seg-${String(i - (i % BATCH)).padStart(5, '0')}-${String(i % BATCH).padStart(3, '0')}.mp4`) }));
    const byFold = assignFolds(items.map((x) => x.clip), r.fork(`folds/${task}`));
    const st = staged(tasksDir, task);
    const srcOf = new Map(items.map((x) => [x.clip.name, x.src]));
    for (const [f, cs] of byFold) {
      const dir = join(st.tmp, 'video', f);
      mkdirSync(dir, { recursive: true });
      for (const c of cs) {
        try { linkSync(srcOf.get(c.name)!, join(dir, c.name)); } catch { copyFileSync(srcOf.get(c.name)!, join(dir, c.name)); }
      }
    }
    writeCommon(st.tmp, task, labels as unknown as string[], seconds, byFold, { modality: 'video', video: { ...VIDEO } });
    st.commit();
  }
  rmSync(render, { recursive: true, force: true });
  return clips.length;
}
