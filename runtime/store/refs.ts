// Which experiments map to a store entry: one small JSON file per (file, experiment, profile) under
// `<entry>/refs/`, rewritten atomically each time that experiment uses the entry (trains, resumes, probes,
// or finds it in the cache). One file per reference instead of one shared list: two runs sharing an entry
// never read-modify-write the same file.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { readJson, writeJsonAtomic } from '../orchestrate/atomic.ts';
import { safeName } from '../orchestrate/run-dir.ts';

export interface StoreRef {
  name: string;
  label: string;
  /** Scale profile (`lssdc run --profile`), null when the experiment ran as written. */
  profile: string | null;
  /** The `.lssd` file that declared it (absolute). */
  file: string;
  /** The probe-stage hash it was probed (or would be probed) with. */
  probeHash: string;
  /** When it last used this entry (ISO 8601). `lssdc gc` keeps entries used recently. */
  used: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export const refsDir = (entryDir: string) => join(entryDir, 'refs');

export function refFileName(r: Pick<StoreRef, 'name' | 'profile' | 'file'>): string {
  const stem = safeName(r.name) + (r.profile ? `@${safeName(r.profile)}` : '');
  return `${stem}-${sha(`${r.file}\0${r.name}\0${r.profile ?? ''}`).slice(0, 8)}.json`;
}

export function recordRef(entryDir: string, ref: StoreRef): void {
  writeJsonAtomic(join(refsDir(entryDir), refFileName(ref)), ref);
}

/** The entry's references, most recently used first (unreadable files are skipped). */
export function readRefs(entryDir: string): StoreRef[] {
  const dir = refsDir(entryDir);
  if (!existsSync(dir)) return [];
  const out: StoreRef[] = [];
  for (const n of readdirSync(dir)) {
    if (!n.endsWith('.json') || n.startsWith('.')) continue;
    const r = readJson<StoreRef>(join(dir, n));
    if (r && typeof r.name === 'string' && typeof r.used === 'string') out.push({ ...r, profile: r.profile ?? null });
  }
  return out.sort((a, b) => b.used.localeCompare(a.used) || a.name.localeCompare(b.name));
}

/** How a reference is shown: `A4 @ cpu` (name, or label with `{ label: true }`, then the profile). */
export function refDisplay(r: Pick<StoreRef, 'name' | 'label' | 'profile'>, o: { label?: boolean } = {}): string {
  const base = o.label && r.label ? r.label : r.name;
  return r.profile ? `${base} @ ${r.profile}` : base;
}
