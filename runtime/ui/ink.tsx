// The interactive terminal UI (Ink): it only displays the event stream. Finished work (epochs,
// checkpoints, probe results, diagnostics, the results table) goes into <Static> and scrolls away;
// below it, one live panel per running experiment: progress bars with ETA, clips/s, learning rate,
// and the loss terms as sparklines.
import React, { useSyncExternalStore } from 'react';
import { Box, Static, Text, render, type Instance } from 'ink';
import type { TaggedRunEvent, CellState } from '../contracts.ts';
import { bar, duration, lr as fmtLr, num, sparkline } from './format.ts';
import { layoutResultsTable } from './results-layout.ts';
import { eta, initialState, liveRuns, reduce, type FinishedItem, type RunView, type UiState } from './state.ts';

export interface Store {
  get(): UiState;
  subscribe(fn: () => void): () => void;
  dispatch(e: TaggedRunEvent): void;
  now(): number;
}

export function createStore(now: () => number = Date.now): Store {
  let state = initialState();
  const subs = new Set<() => void>();
  return {
    get: () => state,
    subscribe(fn) { subs.add(fn); return () => subs.delete(fn); },
    dispatch(e) { state = reduce(state, e, now()); for (const f of subs) f(); },
    now,
  };
}

const CELL_MARK: Record<CellState, { mark: string; color?: string }> = {
  cached: { mark: '·', color: 'gray' }, waiting: { mark: '…', color: 'gray' }, running: { mark: '▶', color: 'cyan' },
  probing: { mark: '◆', color: 'magenta' }, done: { mark: '✓', color: 'green' }, skipped: { mark: '·', color: 'yellow' },
  interrupted: { mark: '⏸', color: 'yellow' }, failed: { mark: '✗', color: 'red' },
};

function itemColor(it: FinishedItem): string | undefined {
  if (it.kind === 'diagnostic') return it.severity === 'warning' ? 'yellow' : 'red';
  if (it.kind === 'warning') return 'yellow';
  if (it.kind === 'run-start' || it.kind === 'program-start') return 'cyan';
  if (it.kind === 'probe-end') return 'magenta';
  if (it.kind === 'checkpoint') return 'gray';
  return undefined;
}

const BAR = 28;
const SPARK = 32;

function LossLine({ term, value, history }: { term: string; value: number | undefined; history: number[] }) {
  return (
    <Text>
      {'  '}<Text bold>{term.padEnd(5)}</Text>{value === undefined ? '—'.padEnd(9) : num(value).padEnd(9)}
      <Text color="cyan">{sparkline(history, SPARK)}</Text>
    </Text>
  );
}

export function RunPanel({ r, now: _now }: { r: RunView; now: number }) {
  const header = (
    <Text>
      <Text color={CELL_MARK[r.state].color} bold>{CELL_MARK[r.state].mark} {r.name}</Text>
      {r.backend ? <Text color="gray"> · backend {r.backend} · seed {r.seed}</Text> : null}
      {r.resumedFrom !== null ? <Text color="yellow"> · resumed from step {r.resumedFrom}</Text> : null}
    </Text>
  );
  if (r.probe) {
    return (
      <Box flexDirection="column">
        {header}
        <Text>  probing <Text bold>{r.probe.task}</Text>{r.probe.n ? ` (${r.probe.n} clips)` : ''} · {r.probe.done} task{r.probe.done === 1 ? '' : 's'} done</Text>
        {r.data ? <Text>  {r.data.phase} <Text color="magenta">{bar(r.data.total > 0 ? r.data.done / r.data.total : 0, BAR)}</Text> {r.data.done}/{r.data.total}</Text> : null}
      </Box>
    );
  }
  if (r.data && r.step === null) {
    const f = r.data.total > 0 ? r.data.done / r.data.total : 0;
    return (
      <Box flexDirection="column">
        {header}
        <Text>  data {r.data.phase.padEnd(8)} <Text color="green">{bar(f, BAR)}</Text> {r.data.done}/{r.data.total}{r.data.detail ? <Text color="gray"> {r.data.detail}</Text> : null}</Text>
      </Box>
    );
  }
  if (r.step === null || r.totalSteps === null) {
    return <Box flexDirection="column">{header}<Text color="gray">  starting…</Text></Box>;
  }
  const spe = r.stepsPerEpoch && r.stepsPerEpoch > 0 ? r.stepsPerEpoch : r.totalSteps;
  const epochs = Math.max(1, Math.ceil(r.totalSteps / spe));
  const epochIdx = Math.min(epochs, Math.floor(r.step / spe) + (r.step % spe === 0 && r.step > 0 ? 0 : 1));
  const inEpoch = r.step === 0 ? 0 : ((r.step - 1) % spe) + 1;
  const left = eta(r);
  return (
    <Box flexDirection="column">
      {header}
      <Text>
        {'  '}step  <Text color="green">{bar(r.step / r.totalSteps, BAR)}</Text> {r.step}/{r.totalSteps}
        {' '}{Math.floor((100 * r.step) / r.totalSteps)}% · ETA {left === null ? '—' : duration(left)}
        {r.clipsPerSec !== null ? ` · ${r.clipsPerSec.toFixed(1)} clips/s` : ''}{r.lr !== null ? ` · lr ${fmtLr(r.lr)}` : ''}
      </Text>
      <Text>{'  '}epoch <Text color="blue">{bar(inEpoch / spe, BAR)}</Text> {epochIdx}/{epochs} ({inEpoch}/{spe})</Text>
      <LossLine term="L" value={r.loss?.L} history={r.history.L} />
      <LossLine term="L_v" value={r.loss?.L_v} history={r.history.L_v} />
      <LossLine term="L_a" value={r.loss?.L_a} history={r.history.L_a} />
    </Box>
  );
}

function CellsLine({ s }: { s: UiState }) {
  if (s.cells.length <= 1) return null;
  return (
    <Text>
      {s.cells.map((c, i) => {
        const st = s.cellStates[c.name] ?? 'waiting';
        return <Text key={c.name} color={CELL_MARK[st].color}>{i ? '  ' : ''}{CELL_MARK[st].mark} {c.name}</Text>;
      })}
    </Text>
  );
}

/** `width`: the terminal's columns; the results table is laid out to fit it (runtime/ui/results-layout.ts). */
export function App({ store, width }: { store: Store; width?: () => number | undefined }) {
  const s = useSyncExternalStore(store.subscribe, store.get);
  const live = liveRuns(s);
  return (
    <>
      <Static items={s.finished}>
        {(it) => <Text key={it.id} color={itemColor(it)}>{it.table ? layoutResultsTable(it.table, width?.() ?? 80) : it.text}</Text>}
      </Static>
      <Box flexDirection="column">
        <CellsLine s={s} />
        {live.map((r) => <RunPanel key={r.name} r={r} now={store.now()} />)}
      </Box>
    </>
  );
}

export interface InkRendererOptions {
  stdout?: NodeJS.WriteStream;
  now?: () => number;
  /** Ink's `debug`: every frame written in full (tests). */
  debug?: boolean;
}

export function createInkRenderer(o: InkRendererOptions = {}) {
  const store = createStore(o.now);
  // exitOnCtrlC false and no useInput: stdin stays cooked, so Ctrl-C arrives as SIGINT and the run
  // command checkpoints before exiting.
  let closing: Promise<void> | undefined;
  const out = o.stdout ?? process.stdout;
  // Read at each paint: a terminal resized during a run lays the table out for its new width.
  const width = () => (out.columns > 0 ? out.columns : undefined);
  const instance: Instance = render(<App store={store} width={width} />, {
    // patchConsole: a library's console output (tfjs' banner) lands above the live area, not through it.
    stdout: out, exitOnCtrlC: false, patchConsole: !o.stdout, debug: o.debug ?? false,
  });
  return {
    onEvent(e: TaggedRunEvent) { store.dispatch(e); },
    close() {
      // Let the last state paint (Ink throttles frames) before unmounting; idempotent.
      closing ??= (async () => {
        await new Promise((r) => setTimeout(r, 40));
        instance.unmount();
        await instance.waitUntilExit().catch(() => undefined);
      })();
      return closing;
    },
    store,
  };
}
