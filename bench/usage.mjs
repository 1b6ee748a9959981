// `node --import ./bench/usage.mjs …`: at exit, writes the process's CPU time and peak RSS as JSON to
// the file named by LSSD_BENCH_USAGE (bench/compile.ts reads it: CPU time moves less with load than wall).
import { writeFileSync } from 'node:fs';

const out = process.env.LSSD_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssMB: u.maxRSS / 1024 }));
  });
}
