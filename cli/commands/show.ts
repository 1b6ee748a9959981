// `lssdc show FILE [--name NAME] [--hash]`: the fully resolved spec(s) as canonical JSON — the object
// later stages consume, diff and hash. `--hash` prints each experiment's stage hashes instead.
import type { Command } from '../main.ts';
import { compileFile } from '../../compiler/index.ts';
import { hasErrors } from '../../compiler/diagnostic.ts';
import { canonicalJson } from '../../compiler/canonical.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { displayName } from '../../compiler/profile.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import { LOWER } from '../../compiler/messages.ts';
import { displayPath, nodeHost } from '../../runtime/host.ts';
import { directoryProblem, parseArgs, unreadableFile, usageError, useColor } from '../args.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const USAGE = `usage: lssdc show [options] FILE

Print the resolved spec of every experiment declared in FILE (grid cells expanded) as canonical JSON:
one object for a single experiment, an array otherwise.

options:
  --name NAME   only the experiment (or grid cell) NAME; any experiment reachable from FILE
  --hash        print "NAME  pretrain=<hash>  probe=<hash>" per experiment instead of the spec
  --params      print each experiment's parameter table (analytic counts per tower and head, the
                published figure and our count of that published variant, step FLOPs and memory)
  --no-color    plain diagnostics
${PROFILE_USAGE}

With a profile, every experiment is shown as the profile makes it (label "A.4 @ cpu", its own hashes).`;

export const command: Command = {
  name: 'show',
  summary: 'print the resolved spec as canonical JSON',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--hash', '--params', '--no-color'], values: ['--name', ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length !== 1) { process.stderr.write(`error: expected one FILE\n\n${USAGE}\n`); return 2; }
    const dirProblem = directoryProblem(p.positional[0], 'file');
    if (dirProblem) return usageError(args, USAGE, dirProblem);
    const host = nodeHost();
    const file = displayPath(p.positional[0]);
    if (host.readFile(file) === undefined) return unreadableFile(file, p.flags.has('--no-color'));
    const r = compileFile(file, host, compileOptions(p, file));
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, r.value?.sources ?? new Map(), { color }) + '\n');
    if (hasErrors(r.diagnostics) || !r.value) return 1;
    const program = r.value;
    let specs = program.experiments;
    const name = p.values.get('--name');
    if (name !== undefined) {
      const s = program.all.get(name);
      if (!s) {
        process.stderr.write(`error: no experiment '${name}' in ${file}; known: ${[...program.all.keys()].join(', ')}\n`);
        return 1;
      }
      specs = [s];
    }
    if (p.flags.has('--hash')) {
      const lookup = (n: string) => program.all.get(n);
      for (const s of specs) {
        const h = stageHashes(s, lookup);
        process.stdout.write(`${displayName(s)}  pretrain=${h.pretrain}  probe=${h.probe}\n`);
      }
      return 0;
    }
    if (!specs.length) { process.stderr.write(`error: ${file} declares no experiment\n`); return 1; }
    if (p.flags.has('--params')) {
      // Lowering errors about machine size (LSSD4002) still yield a plan: the table is printed anyway.
      const [{ lower }, { paramTable }] = await Promise.all([import('../../compiler/lower.ts'), import('../../runtime/train/params-table.ts')]);
      let status = 0;
      for (const s of specs) {
        const o = lower(s, program);
        const notes = o.diagnostics.filter((d) => d.code !== LOWER.tooLarge.code);
        if (notes.length) process.stderr.write(renderDiagnostics(notes, program.sources, { color }) + '\n');
        if (!o.value) { status = 1; continue; }
        process.stdout.write(paramTable(o.value) + '\n');
      }
      return status;
    }
    process.stdout.write(canonicalJson(specs.length === 1 ? specs[0] : specs, 2) + '\n');
    return 0;
  },
};
