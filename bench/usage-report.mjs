// At exit, writes the process's CPU time and peak RSS as JSON to `out` (bench/compile.ts reads it: CPU
// time moves less with load than wall). Installed by bench/usage.mjs (`node --import`) and, since a
// startup snapshot takes no --import, by cli/snapshot-entry.ts under LSSD_BENCH_USAGE.
import { writeFileSync } from 'node:fs';

/** Writes `{ cpuMs, maxRssMB }` to `out` when the process exits (nothing when `out` is empty). */
export function reportUsageAtExit(out) {
  if (!out) return;
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMB: u.maxRSS / 1024 }));
  });
}
