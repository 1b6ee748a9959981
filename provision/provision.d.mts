// Types for provision.mjs.
import type { GpuProbe } from './lib.mjs';
export interface Attempt { flavor: string; ok: boolean; why: string | null; cached?: boolean; built?: boolean; ms?: number }
export interface ProvisionRecord {
  version: number; at: string; cache: string; backend: 'tensorflow' | 'wasm'; flavor: string | null; entry: string | null;
  tfVersion: string | null; gpu: GpuProbe | null; gpuDevices: string[]; attempts: Attempt[]; ms: number; message: string | null;
}
export interface Host {
  detectGpu(): GpuProbe;
  probeUrl(url: string): Promise<string | null>;
  verify(projectDir: string): Promise<{ ok: boolean; why?: string; tfVersion?: string; gpuDevices?: string[] }>;
  buildOfficial(ctx: Ctx, flavor: string, staging: string): Promise<BuildResult>;
  buildWheel(ctx: Ctx, flavor: string, staging: string): Promise<BuildResult>;
  restorePackage(ctx: Ctx): Promise<{ ok: boolean; why?: string }>;
}
export interface Ctx { projectDir: string; pkgDir: string; root: string; env: NodeJS.ProcessEnv; say: (s: string) => void; napi?: number | null }
export type BuildResult = { ok: true; binding: string; source: string; extra?: Record<string, unknown> } | { ok: false; why: string };
export const realHost: Host;
export function provision(opts: { projectDir: string; env?: NodeJS.ProcessEnv; host?: Host; say?: (s: string) => void }): Promise<ProvisionRecord>;
export function recordPath(projectDir: string): string;
export function wasmMessage(rec: ProvisionRecord): string;
