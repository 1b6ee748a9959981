// The layout before the run store: `<root>/runs/<name>-<pretrainHash12>/`, one directory per experiment
// name. Such a directory holds exactly what a store entry holds, so it is moved (one rename, same
// filesystem) to `<root>/runs/<pretrainHash12>/` the first time a command opens the store, and its
// name is recorded as a reference. Left where they are: directories locked by a live (older) lssdc,
// ones whose run.json does not name the hash in their name, and a second directory of a hash whose entry
// already exists (`lssdc runs` lists it as `legacy`, `lssdc gc` removes it).
import { existsSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { liveHolder } from '../orchestrate/lock.ts';
import { isEntryName, readRunJson, runDirFor, runsDir } from '../orchestrate/run-dir.ts';
import { recordRef } from './refs.ts';

/** `<name>-<hash12>` (not a `.replaced-…` copy); the name part and the hash. */
export function legacyName(n: string): { name: string; short: string } | undefined {
  if (n.startsWith('.') || n.includes('.replaced-')) return undefined;
  const m = /^(.+)-([0-9a-f]{12})$/.exec(n);
  return m ? { name: m[1], short: m[2] } : undefined;
}

export interface Migration { moved: { from: string; to: string }[]; left: { dir: string; reason: string }[] }

export function migrateLegacy(root: string): Migration {
  const out: Migration = { moved: [], left: [] };
  const runs = runsDir(root);
  if (!existsSync(runs)) return out;
  for (const n of readdirSync(runs)) {
    if (isEntryName(n)) continue;
    const l = legacyName(n);
    if (!l) continue;
    const from = join(runs, n);
    const run = readRunJson(from);
    const hash = run?.hashes?.pretrain;
    if (!hash || !hash.startsWith(l.short)) { out.left.push({ dir: from, reason: 'its run.json does not name the hash in its directory name' }); continue; }
    const holder = liveHolder(from);
    if (holder) { out.left.push({ dir: from, reason: `in use by pid ${holder.pid} on ${holder.host}` }); continue; }
    const to = runDirFor(root, hash);
    if (existsSync(to)) { out.left.push({ dir: from, reason: `the store already has ${to}` }); continue; }
    try { renameSync(from, to); } catch { continue; } // another process moved it first
    out.moved.push({ from, to });
    recordRef(to, { name: run.name, label: run.label ?? run.name, profile: run.profile ?? null, file: run.file ?? '', probeHash: run.hashes.probe,
      used: run.ended ?? run.started ?? new Date().toISOString() });
  }
  return out;
}
