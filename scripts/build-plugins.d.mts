// Types for scripts/build-plugins.mjs (plain JS: the build runs without tsx).
import type { Plugin } from 'esbuild';
export const AJV_OPTIONS: Record<string, unknown>;
export function specValidatorModule(root: string): string;
export const PRECOMPILED: Record<string, { inputs: string[]; generate(root: string): string }>;
export function sourceUrlPlugin(outdir: string, cjs?: { commands: string[] }): Plugin;
export function precompiledPlugin(root: string): Plugin;
export function validateGrammar(root: string, scratch: string): Promise<void>;
export function splitSpecSchema(whole: Record<string, unknown>): { root: Record<string, unknown>; parts: Record<string, unknown>[] };
export const NAME_MARK: string;
export function preparse(root: string, parse: (source: { name: string; text: string }) => { value?: unknown; diagnostics: unknown[] }): [string, string][];
