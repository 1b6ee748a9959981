// `lssdc new experiment NAME --from BASE`: a short file that `extends` BASE, next to the file that
// declares it (or in experiments/ for a stdlib preset), with the import it needs. Checked by the
// compiler before it is written; never overwrites (LSSD7001).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from '../main.ts';
import { parseArgs, printDiagnostics, usageError, wantsJson } from '../args.ts';
import { checkGenerated, inTheWay, writeNew } from '../scaffold.ts';
import { collectFiles } from './check.ts';
import { parse } from '../../grammar/index.ts';
import { SCAFFOLD, diag, nearest } from '../../compiler/messages.ts';
import { displayPath, STDLIB_DIR } from '../../runtime/host.ts';

const USAGE = `usage: lssdc new experiment NAME --from BASE [options]

Write NAME.lssd: an experiment that extends BASE (an experiment or preset) and imports the file that
declares it. BASE is looked up in the .lssd files under experiments/ (or the current directory when
there is none) and in the stdlib. The file goes next to BASE's file (experiments/ for a stdlib preset).

options:
  --from BASE   the experiment or preset to extend (required)
  --in FILE     the file that declares BASE (when the search would not find it)
  --dir DIR     where to write NAME.lssd (default: see above)
  --json        print the created file as JSON`;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(['import', 'experiment', 'preset', 'backbone', 'task', 'grid', 'extends', 'init', 'from', 'true', 'false', 'none', 'random', 'all', 'except', 'axis', 'zip', 'exclude', 'when', 'as']);

interface Found { name: string; kind: string; file: string; stdlib: boolean }

/** Experiments and presets declared in `files` (absolute paths). */
function declarations(files: string[], stdlib: boolean): Found[] {
  const out: Found[] = [];
  for (const file of files) {
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    const ast = parse({ name: file, text }).value!;
    for (const d of ast.decls) if (d.declKind === 'experiment' || d.declKind === 'preset') out.push({ name: d.name.name, kind: d.declKind, file, stdlib });
  }
  return out;
}

export const command: Command = {
  name: 'new',
  summary: 'write a new experiment file that extends an existing one',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json'], values: ['--from', '--in', '--dir'] });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    const [what, name, ...extra] = p.positional;
    if (what !== 'experiment') return usageError(args, USAGE, what === undefined ? 'say what to create: `lssdc new experiment NAME --from BASE`' : `cannot create '${what}': only \`experiment\``);
    if (!name) return usageError(args, USAGE, 'no NAME given');
    if (extra.length) return usageError(args, USAGE, `unexpected argument '${extra[0]}'`);
    const base = p.values.get('--from');
    if (!base) return usageError(args, USAGE, '--from BASE is required (the experiment or preset to extend)');
    const json = wantsJson(args);
    const fail = (d: ReturnType<typeof diag>) => { printDiagnostics(json, [d], []); return 1; };

    // Where to look for BASE: --in, else experiments/ (or .), plus the stdlib.
    let local: string[];
    if (p.values.has('--in')) {
      const f = resolve(p.values.get('--in')!);
      if (!existsSync(f) || !statSync(f).isFile()) return usageError(args, USAGE, `--in: no such file: ${p.values.get('--in')}`);
      local = [f];
    } else local = collectFiles([existsSync('experiments') ? 'experiments' : '.']).files.map((f) => resolve(f));
    const stdlib = collectFiles([STDLIB_DIR]).files.map((f) => resolve(f));
    const found = [...declarations(local, false), ...declarations(stdlib.filter((f) => !local.includes(f)), true)];

    if (!NAME.test(name) || KEYWORDS.has(name)) {
      return fail(diag(SCAFFOLD.badName, undefined, `'${name}' is not a declaration name`, { hint: 'letters, digits and _, starting with a letter or _; not a keyword' }));
    }
    const taken = found.find((f) => f.name === name);
    if (taken) return fail(diag(SCAFFOLD.badName, undefined, `'${name}' is already declared (${taken.kind} in ${displayPath(taken.file)})`, { hint: 'pick another name' }));
    const matches = found.filter((f) => f.name === base);
    if (!matches.length) {
      const guess = nearest(base, found.map((f) => f.name));
      return fail(diag(SCAFFOLD.unknownBase, undefined, `no experiment or preset named '${base}' under ${p.values.get('--in') ?? (existsSync('experiments') ? 'experiments/' : '.')} or in the stdlib`, {
        hint: guess ? `did you mean '${guess}'?` : 'name the file that declares it with --in FILE',
      }));
    }
    const localMatches = [...new Set(matches.filter((m) => !m.stdlib).map((m) => m.file))];
    if (localMatches.length > 1) {
      return fail(diag(SCAFFOLD.unknownBase, undefined, `'${base}' is declared in several files: ${localMatches.map((f) => displayPath(f)).join(', ')}`, { hint: 'say which one with --in FILE' }));
    }
    const target = matches.find((m) => !m.stdlib) ?? matches[0];
    const dir = resolve(p.values.get('--dir') ?? (target.stdlib ? (existsSync('experiments') ? 'experiments' : '.') : dirname(target.file)));
    let importSpec: string;
    if (target.stdlib) importSpec = basename(target.file, '.lssd');
    else {
      const rel = relative(dir, target.file).split(sep).join('/');
      importSpec = rel.startsWith('.') ? rel : `./${rel}`;
    }
    const file = join(dir, `${name}.lssd`);
    const text = `import "${importSpec}"

/// ${name}: starts from ${base}; set below only what differs.
experiment ${name} extends ${base} {
  label = "${name}"
}
`;
    const files = new Map([[file, text]]);
    const blocked = inTheWay(files);
    if (blocked.length) { printDiagnostics(json, blocked, []); return 1; }
    const bad = checkGenerated(files, [file]);
    if (bad.length) { printDiagnostics(json, bad, []); return 1; }
    writeNew(files);
    if (json) process.stdout.write(JSON.stringify({ type: 'created', files: [displayPath(file)], extends: base, import: importSpec }) + '\n');
    else process.stdout.write(`created ${displayPath(file)} (experiment ${name} extends ${base})\n`);
    return 0;
  },
};
