// Text and JSON forms of the run store's inventory and gc plans (`lssdc runs`, `lssdc gc`).
import { refDisplay } from './refs.ts';
import type { StoreEntry } from './inventory.ts';
import type { GcPlan } from './gc.ts';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024; let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** The experiments an entry maps to, most recently used first (`A4 @ cpu, hidden`). */
export function experimentsOf(e: StoreEntry): string {
  const names = [...new Set(e.refs.map((r) => refDisplay(r)))];
  if (names.length === 0 && e.run?.name) names.push(refDisplay({ name: e.run.name, label: e.run.label, profile: e.run.profile ?? null }));
  return names.join(', ') || '—';
}

const steps = (e: StoreEntry) => (e.lastStep === null ? '—' : e.totalSteps ? `${e.lastStep}/${e.totalSteps}` : String(e.lastStep));
const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

export function formatEntries(entries: StoreEntry[]): string {
  if (entries.length === 0) return '(the run store is empty)';
  const head = ['entry', 'status', 'step', 'size', 'last used', 'experiments'];
  const rows = entries.map((e) => [
    e.kind === 'entry' ? e.id : `${e.id} (${e.kind})`,
    e.status === 'running' && e.lock ? `running (pid ${e.lock.pid})` : e.status,
    steps(e), formatBytes(e.bytes), day(e.lastUsed), experimentsOf(e),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  const total = entries.reduce((s, e) => s + e.bytes, 0);
  return [line(head), ...rows.map(line), `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${formatBytes(total)}`].join('\n');
}

export function entryJson(e: StoreEntry) {
  return {
    id: e.id, kind: e.kind, dir: e.dir, hash: e.hash, status: e.status, lastStep: e.lastStep, totalSteps: e.totalSteps,
    bytes: e.bytes, lastUsed: e.lastUsed, parent: e.parent, lock: e.lock,
    experiments: e.refs.map((r) => ({ name: r.name, label: r.label, profile: r.profile, file: r.file, probeHash: r.probeHash, used: r.used })),
  };
}

export function formatGcPlan(plan: GcPlan, o: { keepDays: number; files: number; dryRun: boolean }): string {
  const out: string[] = [];
  if (plan.remove.length === 0) out.push('nothing to remove: every entry is referenced');
  else {
    out.push(`${o.dryRun ? 'would remove' : 'removing'} ${plan.remove.length} unreferenced director${plan.remove.length === 1 ? 'y' : 'ies'} (${formatBytes(plan.bytes)}):`);
    for (const e of plan.remove) out.push(`  ${e.kind === 'entry' ? e.id : `${e.id} (${e.kind})`}  ${e.status}  ${formatBytes(e.bytes)}  last used ${day(e.lastUsed)}  ${experimentsOf(e)}`);
  }
  const count = (r: string) => plan.keep.filter((k) => k.reasons.includes(r as never)).length;
  const why = [
    o.files ? `${count('reachable')} reachable from the ${o.files} file${o.files === 1 ? '' : 's'} given` : '',
    `${count('recent')} used within ${o.keepDays} day${o.keepDays === 1 ? '' : 's'}`,
    count('running') ? `${count('running')} in use by a live run` : '',
    count('ancestor') ? `${count('ancestor')} \`init from\` parent${count('ancestor') === 1 ? '' : 's'} of kept entries` : '',
    count('unreadable') ? `${count('unreadable')} whose run.json does not parse (repair or remove it by hand)` : '',
  ].filter(Boolean);
  out.push(`keeping ${plan.keep.length}: ${why.join(', ')}`);
  if (o.dryRun && plan.remove.length) out.push('dry run: nothing was deleted; pass --yes to delete them');
  return out.join('\n');
}
