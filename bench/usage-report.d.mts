// Types for bench/usage-report.mjs.
export function reportUsageAtExit(out: string | undefined): void;
