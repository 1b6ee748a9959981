// HEAR task directories (hear-preprocess 2021 layout), read as-is:
//   task_metadata.json      task_name, split_mode (trainvaltest | new_split_kfold | presplit_kfold), nfolds,
//                           prediction_type (multiclass | multilabel), embedding_type (scene), evaluation
//   labelvocabulary.csv     idx,label
//   <split>.json            { "<clip file>": [label, …] } for each split (fold00…, or train/valid/test)
//   <rate>/<split>/*.wav    audio at each rate the task was exported at (44100, 48000, …)
//   video/<split>/*.mp4     video clips, for tasks with "modality": "video" (the synthetic corpus's)
// Only scene-level tasks are supported (the paper uses pooled embeddings); timestamp tasks are refused.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROBE, ProbeError, type ProbeCode } from './errors.ts';
import { PyRandom } from './pyrandom.ts';

export interface HearClip {
  /** File name as listed in the split file. */
  file: string;
  split: string;
  /** Label indices into `HearTask.labels`. */
  labels: number[];
}

export interface HearTask {
  dir: string;
  name: string;
  modality: 'audio' | 'video';
  prediction: 'multiclass' | 'multilabel';
  splitMode: 'kfold' | 'trainvaltest';
  /** Split names in order: fold00…fold0k, or train/valid/test. */
  splits: string[];
  labels: string[];
  clips: HearClip[];
  /** Each split's file names in its JSON file's order (the order hear-eval-kit embeds and shuffles them in). */
  fileOrder: Record<string, string[]>;
  /** Audio sample rates available on disk (directories named by rate), ascending. */
  rates: number[];
  metadata: Record<string, unknown>;
}

/** One train/valid/test assignment of splits (one fold of a k-fold task, or the single fixed split). */
export interface FoldPlan {
  name: string;
  train: string[];
  valid: string[];
  test: string[];
}

function readJson(path: string, code: ProbeCode): unknown {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch {
    throw new ProbeError(code, `cannot read ${path.endsWith('task_metadata.json') ? 'task metadata' : 'split file'}`, path,
      'a HEAR task directory holds task_metadata.json, labelvocabulary.csv and one JSON file per split');
  }
  try { return JSON.parse(text); } catch (e) {
    throw new ProbeError(code, `invalid JSON: ${(e as Error).message}`, path);
  }
}

/** Parses labelvocabulary.csv (`idx,label` header; labels may contain commas, so split on the first one). */
export function parseVocabulary(text: string, path: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0 || !/^idx\s*,\s*label/.test(lines[0])) {
    throw new ProbeError(PROBE.badMetadata.code, 'labelvocabulary.csv must start with the header "idx,label"', path);
  }
  const out: string[] = [];
  for (const line of lines.slice(1)) {
    const comma = line.indexOf(',');
    const idx = Number(line.slice(0, comma));
    let label = line.slice(comma + 1);
    if (label.startsWith('"') && label.endsWith('"')) label = label.slice(1, -1).replace(/""/g, '"');
    if (comma < 0 || !Number.isInteger(idx) || idx < 0) {
      throw new ProbeError(PROBE.badMetadata.code, `bad vocabulary line '${line}'`, path, 'each line is "<index>,<label>"');
    }
    out[idx] = label;
  }
  for (let i = 0; i < out.length; i++) {
    if (out[i] === undefined) throw new ProbeError(PROBE.badMetadata.code, `vocabulary index ${i} is missing`, path);
  }
  return out;
}

/** Loads a HEAR task directory; throws ProbeError (LSSD540x) with the offending path on any format problem. */
export function loadHearTask(dirIn: string, opts: { /** Require the media directories (false for embedding directories). */ media?: boolean } = {}): HearTask {
  const dir = resolve(dirIn);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ProbeError(PROBE.taskMissing.code, 'HEAR task directory not found', dir,
      'point the task at a directory with task_metadata.json (e.g. one unpacked from hear2021 tasks)');
  }
  const metaPath = join(dir, 'task_metadata.json');
  const meta = readJson(metaPath, PROBE.badMetadata.code) as Record<string, unknown>;
  if (!meta || typeof meta !== 'object') throw new ProbeError(PROBE.badMetadata.code, 'task_metadata.json must hold an object', metaPath);
  const name = String(meta.task_name ?? dir.split('/').pop());

  const embeddingType = meta.embedding_type ?? 'scene';
  const predictionType = meta.prediction_type;
  if (embeddingType !== 'scene' || (predictionType !== 'multiclass' && predictionType !== 'multilabel')) {
    throw new ProbeError(PROBE.unsupportedTask.code,
      `task '${name}' is a ${String(embeddingType)}/${String(predictionType)} task; only scene-level multiclass or multilabel tasks are supported`,
      metaPath, 'the paper evaluates pooled (scene) embeddings only; timestamp (event) tasks need frame-level embeddings');
  }

  const mode = String(meta.split_mode ?? '');
  let splitMode: HearTask['splitMode'];
  let splits: string[];
  if (mode === 'trainvaltest') {
    splitMode = 'trainvaltest';
    splits = ['train', 'valid', 'test'];
  } else if (mode === 'new_split_kfold' || mode === 'presplit_kfold' || mode === 'kfold') {
    splitMode = 'kfold';
    const k = Number(meta.nfolds);
    if (!Number.isInteger(k) || k < 3) {
      throw new ProbeError(PROBE.badMetadata.code, `nfolds must be an integer ≥ 3 for k-fold tasks, got ${String(meta.nfolds)}`, metaPath,
        'k-fold rotation uses one fold for test, the next for validation and at least one for training');
    }
    splits = Array.isArray(meta.splits) && meta.splits.length === k ? (meta.splits as unknown[]).map(String)
      : Array.from({ length: k }, (_, i) => `fold${String(i).padStart(2, '0')}`);
  } else {
    throw new ProbeError(PROBE.badMetadata.code, `unknown split_mode '${mode}'`, metaPath,
      "expected 'trainvaltest', 'new_split_kfold' or 'presplit_kfold'");
  }

  const vocabPath = join(dir, 'labelvocabulary.csv');
  let vocabText: string;
  try { vocabText = readFileSync(vocabPath, 'utf8'); } catch {
    throw new ProbeError(PROBE.badMetadata.code, 'cannot read labelvocabulary.csv', vocabPath);
  }
  const labels = parseVocabulary(vocabText, vocabPath);
  const index = new Map(labels.map((l, i) => [l, i]));

  const clips: HearClip[] = [];
  const fileOrder: Record<string, string[]> = {};
  for (const split of splits) {
    const path = join(dir, `${split}.json`);
    const raw = readJson(path, PROBE.badSplit.code);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new ProbeError(PROBE.badSplit.code, 'a split file maps clip file names to label lists', path);
    }
    fileOrder[split] = Object.keys(raw as object);
    for (const file of Object.keys(raw as object).sort()) {
      const ls = (raw as Record<string, unknown>)[file];
      const list = Array.isArray(ls) ? ls : [ls];
      const idx = list.map((l) => {
        const i = index.get(String(l));
        if (i === undefined) {
          throw new ProbeError(PROBE.unknownLabel.code, `clip '${file}' has label '${String(l)}' which is not in labelvocabulary.csv`, path);
        }
        return i;
      });
      if (predictionType === 'multiclass' && idx.length !== 1) {
        throw new ProbeError(PROBE.badSplit.code, `clip '${file}' has ${idx.length} labels in a multiclass task`, path);
      }
      clips.push({ file, split, labels: idx });
    }
  }

  const modality = meta.modality === 'video' ? 'video' : 'audio';
  const rates = readdirSync(dir).filter((n) => /^\d+$/.test(n) && statSync(join(dir, n)).isDirectory())
    .map(Number).sort((a, b) => a - b);
  if (opts.media !== false && modality === 'audio' && rates.length === 0) {
    throw new ProbeError(PROBE.clipMissing.code, 'no audio directories (named by sample rate, e.g. 44100/) in the task', dir);
  }
  if (opts.media !== false && modality === 'video' && !existsSync(join(dir, 'video'))) {
    throw new ProbeError(PROBE.clipMissing.code, "video task without a 'video/' directory", dir);
  }
  return { dir, name, modality, prediction: predictionType, splitMode, splits, labels, clips, fileOrder, rates, metadata: meta };
}

/**
 * The task's train/valid/test assignments, as hear-eval-kit's get_splits_from_metadata /
 * data_splits_from_folds (heareval/predictions/task_predictions.py, 8559649): k-fold folds sorted by name,
 * fold i is test, fold i+1 (mod k) validation, the rest train (in sorted order); trainvaltest: one plan.
 */
export function foldPlans(task: Pick<HearTask, 'splitMode' | 'splits'>): FoldPlan[] {
  if (task.splitMode === 'trainvaltest') return [{ name: 'test', train: ['train'], valid: ['valid'], test: ['test'] }];
  const sorted = [...task.splits].sort();
  const k = sorted.length;
  return sorted.map((test, i) => {
    const valid = sorted[(i + 1) % k];
    return { name: test, train: sorted.filter((s) => s !== test && s !== valid), valid: [valid], test: [test] };
  });
}

/**
 * Row order of every split as the kit stores it: one `random.Random(0)` shuffles each split's file list
 * (its JSON order), split after split in task_metadata.json `splits` order (memmap_embeddings in
 * heareval/embeddings/task_embeddings.py, 8559649). The kit's training loader does not shuffle, so this
 * order is the order of its batches. Returns, per split, indices into `task.clips`.
 */
export function kitRowOrder(task: Pick<HearTask, 'splits' | 'clips' | 'fileOrder' | 'metadata'>): Record<string, number[]> {
  const index = new Map(task.clips.map((c, i) => [`${c.split}\u0000${c.file}`, i]));
  const metaSplits = Array.isArray(task.metadata.splits) ? (task.metadata.splits as unknown[]).map(String) : task.splits;
  const order = [...metaSplits, ...task.splits.filter((s) => !metaSplits.includes(s))];
  const prng = new PyRandom(0);
  const out: Record<string, number[]> = {};
  for (const split of order) {
    const files = (task.fileOrder[split] ?? []).slice();
    prng.shuffle(files);
    out[split] = files.map((f) => index.get(`${split}\u0000${f}`)).filter((i): i is number => i !== undefined);
  }
  return out;
}

/**
 * Path of a clip's media. Audio: the exported rate equal to `sampleRate` when there is one (no resampling),
 * else the highest rate (the decoder resamples). Video: video/<split>/<file>.
 */
export function clipPath(task: HearTask, clip: HearClip, sampleRate: number): string {
  const path = task.modality === 'video'
    ? join(task.dir, 'video', clip.split, clip.file)
    : join(task.dir, String(task.rates.includes(sampleRate) ? sampleRate : task.rates[task.rates.length - 1]), clip.split, clip.file);
  if (!existsSync(path)) throw new ProbeError(PROBE.clipMissing.code, `clip listed in ${clip.split}.json is missing`, path);
  return path;
}
