// Types for lib.mjs (plain JS so npm's postinstall needs no TypeScript tooling).
export const TFJS_NODE_VERSION: string;
export const TFJS_LIBTF_VERSION: string;
export const TF_WHEEL_VERSION: string;
export type Flavor = 'official-gpu' | 'wheel-gpu' | 'official-cpu' | 'wheel-cpu';
export const FLAVORS: Record<Flavor, { gpu: boolean; source: 'official' | 'wheel'; pipName?: string; what: string }>;
export interface GpuProbe { present: boolean; driver: boolean; devices: string[] }
export function flavorOrder(gpu: GpuProbe): Flavor[];
export { cacheRoot } from './cache-root.mjs';
export function entryDir(root: string, flavor: string, platform?: string, arch?: string): string;
export function napiBuildVersion(pkgJson: unknown, nodeNapi?: number): number | null;
export function detectGpu(run?: (cmd: string, args: string[], opts: object) => { status: number | null; stdout?: unknown } | undefined, fsExists?: (p: string) => boolean): GpuProbe;
export function probeUrl(url: string, timeoutMs?: number): Promise<string | null>;
export function officialLibUrl(kind: 'cpu' | 'gpu', env?: NodeJS.ProcessEnv): string;
export function runCmd(cmd: string, args: string[], opts?: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; log?: (s: string) => void }): Promise<{ code: number; out: string; timedOut: boolean }>;
export function withLock<T>(lockDir: string, fn: () => Promise<T>, opts?: { staleMs?: number; waitMs?: number; say?: (s: string) => void }): Promise<T>;
export interface EntryManifest { flavor: string; binding: string; bytes?: number; built?: string; buildMs?: number; source?: string; [k: string]: unknown }
export function readEntry(dir: string): EntryManifest | null;
export function duBytes(dir: string): number;
export function linkEntry(pkgDir: string, entry: string, manifest: EntryManifest): void;
export function linkedTo(pkgDir: string, entry: string): boolean;
export function nodeHeadersDir(env?: NodeJS.ProcessEnv): string | null;
export function verifyNative(projectDir: string, opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<{ ok: boolean; why?: string; tfVersion?: string; gpuDevices?: string[] }>;
