// The UI's model: a pure fold of the event stream (`reduce(state, event, now)`), shared by the Ink and
// plain renderers and tested on recorded streams. Finished items only grow (Ink's <Static>); the live
// part (one view per running experiment) is replaced as events arrive.
import type { CellState, ProgramCell, ResultsTable, TaggedRunEvent } from '../contracts.ts';
import { describe } from './format.ts';

/** Loss terms kept for the sparklines. */
export const HISTORY = 48;

export interface RunView {
  name: string;
  backend: string | null;
  seed: number | null;
  runDir: string | null;
  totalSteps: number | null;
  stepsPerEpoch: number | null;
  resumedFrom: number | null;
  step: number | null;
  epoch: number | null;
  loss: { L: number; L_v: number; L_a: number; total: number } | null;
  history: { L: number[]; L_v: number[]; L_a: number[]; total: number[] };
  lr: number | null;
  clipsPerSec: number | null;
  /** Rate measured over the steps seen by this process (a resumed run's ETA is not skewed by the resume). */
  rate: { firstStep: number; firstAt: number; lastStep: number; lastAt: number } | null;
  data: { phase: string; done: number; total: number; detail?: string } | null;
  probe: { task: string; n: number; done: number } | null;
  state: CellState;
  startedAt: number;
}

export interface FinishedItem {
  id: number;
  kind: TaggedRunEvent['type'];
  text: string;
  severity?: 'error' | 'warning';
  /** For a `results` item: the table, so the Ink renderer can lay it out for the terminal's width. */
  table?: ResultsTable;
}

export interface UiState {
  file: string | null;
  cells: ProgramCell[];
  cellStates: Record<string, CellState>;
  runs: Record<string, RunView>;
  /** Names of runs in the order they appeared. */
  order: string[];
  finished: FinishedItem[];
  results: ResultsTable | null;
  /** The run an untagged event belongs to (a single in-process run: the last run-start). */
  current: string | null;
}

export const initialState = (): UiState => ({
  file: null, cells: [], cellStates: {}, runs: {}, order: [], finished: [], results: null, current: null,
});

const newRun = (name: string, now: number): RunView => ({
  name, backend: null, seed: null, runDir: null, totalSteps: null, stepsPerEpoch: null, resumedFrom: null,
  step: null, epoch: null, loss: null, history: { L: [], L_v: [], L_a: [], total: [] }, lr: null, clipsPerSec: null,
  rate: null, data: null, probe: null, state: 'running', startedAt: now,
});

const push = (xs: number[], x: number) => [...xs, x].slice(-HISTORY);

export function reduce(s: UiState, e: TaggedRunEvent, now: number): UiState {
  const text = describe(e);
  const finished = text === null ? s.finished
    : [...s.finished, { id: s.finished.length, kind: e.type, text, ...(e.type === 'diagnostic' ? { severity: e.severity } : {}), ...(e.type === 'results' ? { table: e.table } : {}) }];
  let next: UiState = { ...s, finished };

  if (e.type === 'program-start') {
    const cellStates: Record<string, CellState> = {};
    for (const c of e.cells) cellStates[c.name] = c.cached ? 'cached' : 'waiting';
    return { ...next, file: e.file, cells: e.cells, cellStates, current: e.cells.length === 1 ? e.cells[0].name : next.current };
  }
  if (e.type === 'results') return { ...next, results: e.table };
  if (e.type === 'cell-state') {
    next = { ...next, cellStates: { ...next.cellStates, [e.name]: e.state } };
    const r = next.runs[e.name];
    if (r) next = { ...next, runs: { ...next.runs, [e.name]: { ...r, state: e.state } } };
    return next;
  }
  const name = e.run ?? (e.type === 'run-start' ? e.name : s.current) ?? 'run';
  if (e.type === 'diagnostic' || e.type === 'warning') return next;
  let r = next.runs[name] ?? newRun(name, now);
  const order = next.order.includes(name) ? next.order : [...next.order, name];
  switch (e.type) {
    case 'run-start':
      r = { ...r, backend: e.backend, seed: e.seed, runDir: e.runDir, totalSteps: e.totalSteps, stepsPerEpoch: e.stepsPerEpoch,
        resumedFrom: e.resumedFrom, step: e.resumedFrom ?? r.step, data: null, state: 'running' };
      next = { ...next, current: e.run ? next.current : name };
      break;
    case 'data-progress':
      r = { ...r, data: e.done >= e.total ? null : { phase: e.phase, done: e.done, total: e.total, ...(e.detail ? { detail: e.detail } : {}) } };
      break;
    case 'step': {
      const rate = r.rate === null ? { firstStep: e.step, firstAt: now, lastStep: e.step, lastAt: now } : { ...r.rate, lastStep: e.step, lastAt: now };
      r = { ...r, step: e.step, epoch: e.epoch, loss: e.loss, lr: e.lr, clipsPerSec: e.clipsPerSec, rate, data: null,
        history: { L: push(r.history.L, e.loss.L), L_v: push(r.history.L_v, e.loss.L_v), L_a: push(r.history.L_a, e.loss.L_a), total: push(r.history.total, e.loss.total) } };
      break;
    }
    case 'epoch-end':
      r = { ...r, epoch: e.epoch };
      break;
    case 'probe-start':
      r = { ...r, probe: { task: e.task, n: e.n, done: r.probe?.done ?? 0 }, state: 'probing' };
      break;
    case 'probe-end':
      r = { ...r, probe: { task: e.task, n: 0, done: (r.probe?.done ?? 0) + 1 } };
      break;
    case 'run-end':
      r = { ...r, state: e.status === 'done' ? 'done' : e.status === 'interrupted' ? 'interrupted' : 'cached', probe: null, data: null };
      break;
    default:
      break;
  }
  return { ...next, order, runs: { ...next.runs, [name]: r } };
}

/** Seconds left for a run at its measured step rate, or null before two steps were seen. */
export function eta(r: RunView): number | null {
  if (!r.rate || r.totalSteps === null || r.step === null) return null;
  const steps = r.rate.lastStep - r.rate.firstStep;
  const secs = (r.rate.lastAt - r.rate.firstAt) / 1000;
  if (steps <= 0 || secs <= 0) return null;
  return Math.max(0, r.totalSteps - r.step) * (secs / steps);
}

/** Runs still shown in the live area: those not finished. */
export const liveRuns = (s: UiState): RunView[] =>
  s.order.map((n) => s.runs[n]).filter((r) => r.state === 'running' || r.state === 'probing' || r.state === 'waiting');
