// `lssdc runs [PATH]`: what the run store holds — one line per entry (pretrain hash), its status, last
// step, size, last use and the experiments that map to it. Wiring only: runtime/store.
import { resolve } from 'node:path';
import type { Command } from '../main.ts';
import { parseArgs, usageError } from '../args.ts';
import { defaultRoot } from '../../runtime/paths.ts';
import { listStore } from '../../runtime/store/inventory.ts';
import { migrateLegacy } from '../../runtime/store/legacy.ts';
import { entryJson, formatEntries } from '../../runtime/store/format.ts';

const usage = `usage: lssdc runs [PATH] [options]

Lists the run store, <root>/runs/: one entry per pretrain stage hash, shared by every experiment, grid
cell and profile with that hash. For each: the hash (12 hex digits), status (running with the lock
holder's pid, stale = left 'running' by a process that is gone, trained, done, interrupted, failed, unreadable = a
run.json that does not parse, which gc keeps),
last step / total steps, size on disk, when it was last used, and the experiments that map to it
(\`name @ profile\`). Directories of the old layout (runs/<name>-<hash>) are moved into the store first.
PATH (a file or directory) picks the project whose .lssd/ is listed (default: the current directory).

options:
  --root DIR   the .lssd directory (default: <project>/.lssd)
  --json       one JSON object: { root, entries: [...] }`;

export const command: Command = {
  name: 'runs',
  summary: 'list the run store: pretrain hashes, the experiments mapping to each, size, status, last step',
  usage,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json'], values: ['--root'], aliases: { '--runs-dir': '--root' } });
    if (typeof p === 'string') return usageError(args, usage, p);
    if (p.positional.length > 1) return usageError(args, usage, `one PATH at most, got ${p.positional.length}`);
    const rootFlag = p.values.get('--root');
    const root = resolve(rootFlag ?? defaultRoot(p.positional[0] ?? process.cwd()));
    migrateLegacy(root);
    const entries = listStore(root);
    if (p.flags.has('--json')) process.stdout.write(JSON.stringify({ root, entries: entries.map(entryJson) }, null, 1) + '\n');
    else process.stdout.write(`${root}/runs\n${formatEntries(entries)}\n`);
    return 0;
  },
};
