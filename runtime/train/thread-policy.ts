// How many threads the wasm backend takes (the default like PyTorch's: the cores this run has) and how
// many processes share the cores (LSSD_JOBS, set by the orchestrator for its cells). Pure: no tfjs, so
// runtime/orchestrate and lssdc doctor read it without loading a backend.
import { TrainCodes, TrainError } from './errors.ts';

/** How many XNNPACK threads a wasm run takes, and why (the run's header and `lssdc doctor` say it). */
export interface WasmChoice {
  /** 1: the package's single-threaded SIMD build; 2–8: the threaded build with that many threads. */
  threads: number;
  /** Where the number came from, e.g. 'LSSD_WASM_THREADS=1' or '2 cores for this run'. */
  why: string;
}

/** Most threads the threaded build runs: emscripten's pthread pool (wasm-out/…-threaded-simd.js) has 8 workers. */
export const MAX_WASM_THREADS = 8;

/** A variable holding a whole number from 1 to `max`: undefined when unset or empty, NaN when it holds anything else. */
function countVar(raw: string | undefined, max: number): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return /^[0-9]+$/.test(raw.trim()) && n >= 1 && n <= max ? n : NaN;
}

/**
 * The number of processes this one shares the machine's cores with, itself included, from LSSD_JOBS
 * (unset: 1). The orchestrator sets it for each cell's child process (`--jobs`, runtime/orchestrate);
 * anyone running several trainings side by side by hand can set it the same way.
 */
export function concurrentJobs(env: NodeJS.ProcessEnv): number {
  const raw = env.LSSD_JOBS;
  const n = countVar(raw, 256);
  if (n === undefined) return 1;
  if (Number.isNaN(n)) {
    throw new TrainError(TrainCodes.badJobs, `LSSD_JOBS must be an integer from 1 to 256 (the processes sharing this machine's cores), got '${raw}'`,
      { hint: 'unset it (lssdc run sets it for the cells it runs in parallel), or set LSSD_WASM_THREADS to choose the wasm threads directly' });
  }
  return n;
}

/**
 * The default thread policy of the wasm backend, as PyTorch's (which takes the machine's cores): the
 * cores available to this run, os.availableParallelism() divided by the processes sharing them
 * (LSSD_JOBS), at least 1 and at most 8; 1 is the single-threaded build. LSSD_WASM_THREADS=N (1–8)
 * overrides it; a bad value of either variable is an error (LSSD5351 / LSSD5353), never a guess.
 * The test runner (scripts/run-tests.mjs) runs two files at a time and sets LSSD_WASM_THREADS=1.
 */
export function wasmThreadPolicy(env: NodeJS.ProcessEnv, cores: number): WasmChoice {
  const raw = env.LSSD_WASM_THREADS;
  const n = countVar(raw, MAX_WASM_THREADS);
  if (n !== undefined) {
    if (Number.isNaN(n)) {
      throw new TrainError(TrainCodes.badWasmThreads, `LSSD_WASM_THREADS must be an integer from 1 to ${MAX_WASM_THREADS}, got '${raw}'`,
        { hint: 'unset it for one thread per core available to the run, or set e.g. LSSD_WASM_THREADS=1 for the single-threaded build' });
    }
    return { threads: n, why: `LSSD_WASM_THREADS=${n}` };
  }
  const jobs = concurrentJobs(env);
  const share = Math.floor(Math.max(1, cores) / jobs);
  const threads = Math.max(1, Math.min(MAX_WASM_THREADS, share));
  const cap = share > MAX_WASM_THREADS ? `, at most ${MAX_WASM_THREADS}` : '';
  const why = jobs > 1
    ? `${cores} core${cores === 1 ? '' : 's'} shared by ${jobs} concurrent jobs (LSSD_JOBS)${cap}`
    : `${cores} core${cores === 1 ? '' : 's'} for this run${cap}`;
  return { threads, why };
}
