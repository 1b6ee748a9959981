// Types for scripts/stamp.mjs (plain JS so bin/lssdc.js can load it without tsx).
export interface Stamp {
  version: 1;
  files: { path: string; size: number; mtimeMs: number; sha1: string }[];
  dirs: { path: string; entries: string[] }[];
}
export const STAMP_FILE: string;
export const GLOB_DIRS: string[];
export const EXTRA_INPUTS: string[];
export function makeStamp(root: string, inputs: string[], globDirs?: string[]): Stamp;
export function staleReason(root: string, stamp: unknown): string | undefined;
