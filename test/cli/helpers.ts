// Runs `lssdc` invocations in one child process (test/compiler/cli-driver.ts) with a chosen cwd and env.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function lssdcAll(runs: string[][], o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { code: number; out: string; err: string }[] {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/compiler/cli-driver.ts'), JSON.stringify(runs)],
    { cwd: o.cwd ?? repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...o.env }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}
