// The threaded wasm backend (runtime/train/wasm-threads.ts): LSSD_WASM_THREADS parsing, and in child
// processes (the backend is process-wide) that two XNNPACK threads give bit-identical results to the
// single-threaded build and that the process exits by itself afterwards (XNNPACK's threads are
// unref'd). ops-agreement.test.ts checks every block on wasm against the cpu backend.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wasmThreadsWanted } from '../../runtime/train/wasm-threads.ts';
import { TrainError } from '../../runtime/train/errors.ts';
import { WASM } from '../../compiler/messages-runtime.ts';

test('LSSD_WASM_THREADS: unset is 1 (the single-threaded build), 1–8 taken, anything else LSSD5351', () => {
  assert.equal(wasmThreadsWanted({}), 1);
  assert.equal(wasmThreadsWanted({ LSSD_WASM_THREADS: '' }), 1);
  assert.equal(wasmThreadsWanted({ LSSD_WASM_THREADS: '2' }), 2);
  assert.equal(wasmThreadsWanted({ LSSD_WASM_THREADS: '8' }), 8);
  for (const bad of ['0', '9', '1.5', 'two', '-2', '2x']) {
    assert.throws(() => wasmThreadsWanted({ LSSD_WASM_THREADS: bad }), (e: unknown) => {
      assert.ok(e instanceof TrainError);
      assert.equal(e.code, WASM.badThreads.code);
      assert.match(e.message, new RegExp(`got '${bad.replace('.', '\\.')}'`));
      return true;
    });
  }
});

const child = fileURLToPath(new URL('../fixtures/wasm-threads-child.ts', import.meta.url));
function runChild(threads: string): { threads: number; hash: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, LSSD_WASM_THREADS: threads },
  });
  assert.equal(r.error, undefined, `child with LSSD_WASM_THREADS=${threads} did not exit by itself: ${r.error?.message}`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('two wasm threads compute bit-identical attention gradients and matmuls, and the process exits', () => {
  const one = runChild('1'), two = runChild('2');
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  assert.equal(two.hash, one.hash);
});
