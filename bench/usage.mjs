// `node --import ./bench/usage.mjs …`: at exit, writes the process's CPU time and peak RSS as JSON to
// the file named by LSSD_BENCH_USAGE (bench/usage-report.mjs).
import { reportUsageAtExit } from './usage-report.mjs';

reportUsageAtExit(process.env.LSSD_BENCH_USAGE);
