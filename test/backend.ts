// The backend the backend-sensitive tests (test/train, test/probes) run on: LSSD_TEST_BACKEND (tensorflow |
// wasm | cpu), else what `auto` picks on this machine (tensorflow where npm install provisioned it).
// CI runs the suite with LSSD_TEST_BACKEND=tensorflow and then test/train and test/probes with wasm.
import { selectBackend, type BackendPref } from '../runtime/train/backend.ts';

const forced = process.env.LSSD_TEST_BACKEND;
if (forced && !['tensorflow', 'wasm', 'cpu', 'auto'].includes(forced)) throw new Error(`LSSD_TEST_BACKEND must be tensorflow, wasm, cpu or auto, got '${forced}'`);

/** The preference tests put in specs (runtime.backend) and pass to selectBackend. */
export const TEST_BACKEND = (forced ?? 'auto') as BackendPref;

/** Activates the test backend; a forced one that is unavailable fails the test (LSSD5301), never falls back. */
export const useTestBackend = (): Promise<string> => selectBackend(TEST_BACKEND);
