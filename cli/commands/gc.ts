// `lssdc gc [FILES…]`: removes run-store entries nothing references (runtime/store/gc.ts defines
// "referenced"). Dry run unless --yes. Wiring only: compile the files for their hashes, plan, print, apply.
import { resolve } from 'node:path';
import type { Command } from '../main.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { directoryProblem, numberOption, parseArgs, printDiagnostics, usageError, useColor } from '../args.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { projectFileFor } from '../../runtime/host.ts';
import { RunMessages } from '../../runtime/orchestrate/messages.ts';
import { listStore } from '../../runtime/store/inventory.ts';
import { migrateLegacy } from '../../runtime/store/legacy.ts';
import { applyGc, planGc, type GcOptions } from '../../runtime/store/gc.ts';
import { entryJson, formatGcPlan } from '../../runtime/store/format.ts';

const DEFAULT_KEEP_DAYS = 14;

const usage = `usage: lssdc gc [FILES…] [options]

Removes run-store entries (<root>/runs/<hash>/) that nothing references. Dry run by default: prints what
would go and what stays, and why. An entry is referenced — kept — when
  - its pretrain hash is reached from one of FILES (their experiments and grid cells, and every
    experiment they import or \`init from\`),
  - it was used (trained, resumed, probed, or found in the cache by \`lssdc run\`) within --keep-days,
  - a live process holds its LOCK, or
  - it is the \`init from\` parent of a kept entry.
Everything else goes: entries no file reaches and unused for --keep-days, copies that \`run --force\`
moved aside (*.replaced-*), old-layout duplicates. Each is locked before it is deleted, so a run that
starts on it meanwhile keeps it.

options:
  --keep-days N   keep entries used within N days (default ${DEFAULT_KEEP_DAYS}; 0: only what FILES reach)
  --profile NAME  FILES reach their experiments under this profile (repeatable; default: as written and
                  under lssd.project's profile)
  --catalog N=P   catalog bindings to compile FILES with (repeatable, as for \`lssdc run\`)
  --yes, --force  delete (default: dry run, nothing is deleted)
  --root DIR      the .lssd directory (default: <project>/.lssd of the first FILE, or of the current directory)
  --json          the plan (and what was removed) as one JSON object`;

export const command: Command = {
  name: 'gc',
  summary: 'remove unreferenced run-store entries (dry run unless --yes)',
  usage,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--yes', '--force'], values: ['--root', '--keep-days'], repeat: ['--profile', '--catalog'], aliases: { '--runs-dir': '--root' } });
    if (typeof p === 'string') return usageError(args, usage, p);
    const json = p.flags.has('--json');
    const color = useColor(process.stderr);
    const keep = numberOption(p, '--keep-days');
    if (typeof keep === 'string' || (keep !== undefined && keep < 0)) {
      printDiagnostics(json, [RunMessages.badFlag('--keep-days', p.values.get('--keep-days')!, 'a number of days ≥ 0')], new Map(), color);
      return 2;
    }
    const keepDays = keep ?? DEFAULT_KEEP_DAYS;
    for (const f of p.positional) { const dirProblem = directoryProblem(f, 'file'); if (dirProblem) return usageError(args, usage, dirProblem); }
    const rootFlag = p.values.get('--root');
    const root = resolve(rootFlag ?? defaultRoot(p.positional[0] ?? process.cwd()));

    // Hashes reachable from the files: refuse to collect anything if one of them does not compile.
    const reachable = new Set<string>();
    if (p.positional.length) {
      const [{ compileFile }, { nodeHost }] = await Promise.all([import('../../compiler/index.ts'), import('../../runtime/host.ts')]);
      const host = nodeHost();
      // A file reaches its experiments as written and under each profile: the ones given, else the
      // project's default (lssd.project) besides none.
      const profiles = p.lists.get('--profile') ?? [undefined, 'none'];
      const catalogs = p.lists.get('--catalog') ?? [];
      for (const f of p.positional) for (const profile of profiles) {
        const out = compileFile(resolve(f), host, { project: projectFileFor(resolve(f)), ...(profile ? { profile } : {}), ...(catalogs.length ? { catalogs } : {}) });
        const errors: Diagnostic[] = out.diagnostics.filter((d) => d.severity === 'error');
        if (!out.value || errors.length) {
          printDiagnostics(json, out.diagnostics, out.value?.sources ?? new Map(), color);
          if (!json) process.stderr.write(`error: ${f} does not compile; nothing was collected (gc needs every FILE's hashes)\n`);
          return 1;
        }
        const program = out.value;
        const lookup = (n: string) => program.all.get(n);
        for (const s of [...program.experiments, ...program.all.values()]) reachable.add(stageHashes(s, lookup).pretrain);
      }
    }

    migrateLegacy(root);
    const o: GcOptions = { reachable, keepDays };
    const plan = planGc(listStore(root), o);
    const apply = p.flags.has('--yes') || p.flags.has('--force');
    const done = apply ? applyGc(root, plan, o) : undefined;
    if (json) {
      process.stdout.write(JSON.stringify({
        root, dryRun: !apply, keepDays, bytes: plan.bytes,
        remove: plan.remove.map(entryJson), keep: plan.keep.map((k) => ({ ...entryJson(k.entry), reasons: k.reasons })),
        ...(done ? { removed: done.removed.map((e) => e.id), skipped: done.skipped.map((s) => ({ id: s.entry.id, reason: s.reason })) } : {}),
      }, null, 1) + '\n');
    } else {
      process.stdout.write(formatGcPlan(plan, { keepDays, files: p.positional.length, dryRun: !apply }) + '\n');
      if (done) process.stdout.write(`removed ${done.removed.length}\n`);
    }
    if (done?.skipped.length) printDiagnostics(false, done.skipped.map((s) => RunMessages.gcSkipped(s.entry.dir, s.reason)), new Map(), color);
    return 0;
  },
};
