// `lssdc diff`: compare resolved experiments, not text (compiler/diff.ts), in the spirit of
// `terraform plan`. Sides can be files, directories, experiment names, or a git revision; it also
// serves git directly as GIT_EXTERNAL_DIFF and as a textconv (docs/diff-and-grids.md §git).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from '../main.ts';
import { compileFile, type CompileOptions, type Program } from '../../compiler/index.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';
import { hasErrors, type Diagnostic } from '../../compiler/diagnostic.ts';
import type { CompilerHost } from '../../compiler/host.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Source } from '../../grammar/ast.ts';
import { diffJson, diffPrograms, renderDiffMarkdown, renderDiffText, textconv, type SpecSet } from '../../compiler/diff.ts';
import { M, diag, didYouMean } from '../../compiler/messages.ts';
import { diagnosticsToJson, renderDiagnostics } from '../../compiler/render.ts';
import { displayPath, nodeHost } from '../../runtime/host.ts';
import { collectFiles } from './check.ts';
import { parseArgs, usageError, useColor } from '../args.ts';

const USAGE = `usage: lssdc diff [options] BEFORE AFTER
       lssdc diff [options] --git REV [-- FILE...]
       lssdc diff --textconv FILE

Compare resolved experiments (not text): reordering, reformatting, or moving a value into a parent
via \`extends\` shows no change. Each change is classified: re-pretrain (changes the learned
weights), re-probe only (probe settings), no effect (names, labels, docs). Experiments initialised
from a changed experiment are reported stale.

BEFORE/AFTER are .lssd files, directories (every *.lssd below; experiments matched by name),
experiment names (A3 A4: looked up in the .lssd files under the current directory, or --in PATH),
or FILE:NAME for one experiment of a file.

options:
  --git REV       compare FILE... (default: every *.lssd git tracks under the current directory)
                  as of REV with the working tree
  --in PATH       where to look experiment names up (file or directory; repeatable via commas)
  --json          machine-readable plan on stdout
  --markdown      Markdown for a pull-request comment
  --all           also list unchanged experiments
  --textconv      print FILE's resolved experiments one field per line (git diff.lssd.textconv)
  --no-color      plain output
${PROFILE_USAGE}
                  (both sides; a side written SIDE@PROFILE, e.g. experiments/A4.lssd@cpu or
                  A4@paper, uses that profile instead; SIDE@none none)

git setup (docs/diff-and-grids.md):
  echo '*.lssd diff=lssd' >> .gitattributes && git config diff.lssd.textconv 'npx lssdc diff --textconv'
  GIT_EXTERNAL_DIFF='npx lssdc diff' git diff      # full plan per changed file`;

interface Side { set: SpecSet; sources: Map<string, Source>; diagnostics: Diagnostic[]; label: string }

const emptySide = (label: string): Side => ({ set: { experiments: [], all: new Map() }, sources: new Map(), diagnostics: [], label });

function addProgram(side: Side, p: Program | undefined, only?: string[]) {
  if (!p) return;
  for (const [k, s] of p.sources) side.sources.set(k, s);
  for (const [k, s] of p.all) if (!side.set.all!.has(k)) side.set.all!.set(k, s);
  const picked = only ? only.map((n) => p.all.get(n)).filter((s): s is ResolvedSpec => !!s) : p.experiments;
  const have = new Set(side.set.experiments.map((e) => e.name));
  for (const s of picked) if (!have.has(s.name)) { side.set.experiments.push(s); have.add(s.name); }
}

function compileInto(side: Side, file: string, host: CompilerHost, only?: string[], opts: CompileOptions = {}) {
  const r = compileFile(file, host, opts);
  side.diagnostics.push(...r.diagnostics);
  addProgram(side, r.value, only);
}

/**
 * Compile many files as one program (a virtual entry importing them all), so shared imports — the
 * stdlib, common parents — are parsed and resolved once instead of once per file (two 200-file
 * directories: ~10× faster). Names must then be unique across the files; if they are not, fall back to
 * compiling each file on its own.
 */
export function compileMany(side: Side, files: string[], host: CompilerHost, opts: CompileOptions = {}) {
  if (files.length === 1) { compileInto(side, files[0], host, undefined, opts); return; }
  const entry = displayPath(`.lssd-diff-${process.pid}.lssd`);
  const text = files.map((f) => `import ${JSON.stringify(relImport(f))}`).join('\n') + '\n';
  const r = compileFile(entry, { ...host, readFile: (p) => (p === entry ? text : host.readFile(p)) }, opts);
  if (!r.value || r.diagnostics.some((d) => d.code === M.duplicateDecl.code || d.span?.file === entry)) {
    for (const f of files) compileInto(side, f, host, undefined, opts);
    return;
  }
  side.diagnostics.push(...r.diagnostics);
  const order = new Map(files.map((f, i) => [f, i]));
  const declared = [...r.value.all.values()].filter((s) => order.has(s.origin.file)).sort((a, b) => order.get(a.origin.file)! - order.get(b.origin.file)!);
  addProgram(side, { ...r.value, experiments: declared });
}
/** One side from a list of files (as for a directory argument): its experiments and diagnostics. */
export function loadFiles(files: string[], host: CompilerHost = nodeHost()): { set: SpecSet; diagnostics: Diagnostic[] } {
  const side = emptySide(files.join(', '));
  compileMany(side, files, host);
  return { set: side.set, diagnostics: side.diagnostics };
}
const relImport = (f: string) => {
  const rel = relative(process.cwd(), resolve(f)).split(sep).join('/');
  return isAbsolute(rel) ? rel : rel.startsWith('.') ? rel : `./${rel}`;
};

/**
 * Resolve one command-line side: a file, a directory, FILE:NAME, or an experiment name, each
 * optionally followed by `@PROFILE` (`experiments/A4.lssd@cpu`, `A4@paper`; `@none`: no profile),
 * which overrides --profile for that side.
 */
function loadSide(whole: string, lookIn: string[], host: CompilerHost, base: (file: string) => CompileOptions): Side | string {
  const side = emptySide(whole);
  const at = !existsSync(whole) ? /^(.+)@([A-Za-z_][A-Za-z0-9_]*)$/.exec(whole) : null;
  const arg = at ? at[1] : whole;
  const optsFor = (file: string): CompileOptions => (at ? { ...base(file), profile: at[2] } : base(file));
  const colon = arg.lastIndexOf(':');
  if (existsSync(arg)) {
    const { files } = collectFiles([arg]);
    if (!files.length) return `no .lssd files under ${arg}`;
    compileMany(side, files, host, optsFor(files[0]));
    return side;
  }
  if (colon > 0 && existsSync(arg.slice(0, colon))) {
    const name = arg.slice(colon + 1);
    compileInto(side, arg.slice(0, colon), host, [name], optsFor(arg.slice(0, colon)));
    if (!side.set.experiments.length && !hasErrors(side.diagnostics)) {
      side.diagnostics.push(diag(M.diffNotFound, undefined, `no experiment '${name}' in ${arg.slice(0, colon)}`,
        { hint: `known: ${[...side.set.all!.keys()].slice(0, 20).join(', ')}` }));
    }
    return side;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(arg)) return `no such file, directory or experiment: ${arg}`;
  // An experiment name: find the files that declare it.
  const { files } = collectFiles(lookIn);
  const found: { file: string; program: Program }[] = [];
  for (const f of files) {
    const r = compileFile(f, host, optsFor(f));
    if (r.value?.experiments.some((e) => e.name === arg)) found.push({ file: f, program: r.value });
  }
  if (found.length === 0) {
    const known = new Set<string>();
    for (const f of files) for (const e of compileFile(f, host).value?.experiments ?? []) known.add(e.name);
    const hint = didYouMean(arg, known);
    return `no experiment named '${arg}' in ${lookIn.join(', ')}${hint ? ` (${hint})` : ''} (use FILE:NAME or --in PATH)`;
  }
  let pick = found;
  // The usual layout declares experiment X in X.lssd: prefer that file when others also declare X
  // (experiments/A3.lssd vs the A3 cell of experiments/paper/table1.lssd).
  if (pick.length > 1) pick = pick.filter((f) => basename(f.file) === `${arg}.lssd`);
  if (pick.length !== 1) return `experiment '${arg}' is declared in ${found.map((f) => f.file).join(' and ')}; pick one with FILE:${arg} or --in FILE`;
  if (found.length > 1) process.stderr.write(`note: '${arg}' is also declared in ${found.filter((f) => f !== pick[0]).map((f) => f.file).join(', ')}; using ${pick[0].file} (FILE:${arg} picks another)\n`);
  const r = compileFile(pick[0].file, host, optsFor(pick[0].file));
  side.diagnostics.push(...r.diagnostics);
  addProgram(side, r.value, [arg]);
  return side;
}

// ---- git -----------------------------------------------------------------------------------------

const git = (args: string[], cwd = process.cwd()) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });

/** A CompilerHost that reads files inside the repository as of `rev` (files outside it from disk). */
export function gitHost(rev: string, cwd = process.cwd()): CompilerHost | string {
  let top: string; let tracked: Set<string>;
  try {
    top = git(['rev-parse', '--show-toplevel'], cwd).trim();
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], cwd);
    tracked = new Set(git(['ls-tree', '-r', '--name-only', '-z', rev], top).split('\0').filter(Boolean));
  } catch (e) {
    const msg = (e as { stderr?: string }).stderr?.toString().trim();
    return `cannot read git revision '${rev}'${msg ? `: ${msg}` : ' (not a git repository, or no such revision)'}`;
  }
  const disk = nodeHost({ cwd });
  const inRepo = (p: string) => {
    const rel = relative(top, resolve(cwd, p));
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : undefined;
  };
  const cache = new Map<string, string | undefined>();
  return {
    stdlibDir: disk.stdlibDir,
    readFile(path) {
      const rel = inRepo(path);
      if (rel === undefined || resolve(cwd, path).startsWith(resolve(disk.stdlibDir))) return disk.readFile(path);
      if (!cache.has(rel)) cache.set(rel, tracked.has(rel) ? git(['show', `${rev}:${rel}`], top) : undefined);
      return cache.get(rel);
    },
    resolveImport(spec, from) {
      if (!(spec.startsWith('./') || spec.startsWith('../') || isAbsolute(spec))) return disk.resolveImport(spec, from);
      let target = resolve(cwd, dirname(from), spec);
      const rel = inRepo(target);
      if (rel === undefined) return disk.resolveImport(spec, from);
      if (!tracked.has(rel) && tracked.has(rel + '.lssd')) target += '.lssd';
      return tracked.has(inRepo(target)!) ? displayPath(target, cwd) : undefined;
    },
  };
}

/** A host that sees `text` at `path` and everything else on disk (old side of GIT_EXTERNAL_DIFF / textconv). */
function overlayHost(path: string, text: string): CompilerHost {
  const disk = nodeHost();
  const key = resolve(path);
  return { ...disk, readFile: (p) => (resolve(p) === key ? text : disk.readFile(p)) };
}

function trackedLssd(): string[] {
  try {
    return git(['ls-files', '-z', '--', '*.lssd']).split('\0').filter(Boolean).map((f) => displayPath(f));
  } catch { return []; }
}

// ---- output --------------------------------------------------------------------------------------

interface OutOpts { json: boolean; markdown: boolean; all: boolean; color: boolean }

function report(before: Side, after: Side, o: OutOpts, header?: string): number {
  const diags = [...before.diagnostics, ...after.diagnostics];
  const sources = new Map([...before.sources, ...after.sources]);
  const errors = hasErrors(diags);
  if (o.json) {
    const d = errors ? undefined : diffJson(diffPrograms(before.set, after.set));
    process.stdout.write(JSON.stringify({ before: before.label, after: after.label, ok: !errors, diagnostics: diagnosticsToJson(diags), ...(d as object) }, null, 2) + '\n');
    return errors ? 1 : 0;
  }
  if (diags.length) process.stderr.write(renderDiagnostics(dedupe(diags), sources, { color: o.color }) + '\n');
  if (errors) { process.stderr.write(`error: cannot compare: ${before.label} or ${after.label} has errors\n`); return 1; }
  const d = diffPrograms(before.set, after.set);
  if (header) process.stdout.write(header + '\n');
  process.stdout.write(o.markdown ? renderDiffMarkdown(d) : renderDiffText(d, { showUnchanged: o.all, color: o.color }));
  return 0;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => { const k = `${d.code}|${d.span?.file}|${d.span?.start.offset}|${d.message}`; if (seen.has(k)) return false; seen.add(k); return true; });
}

const isMode = (s: string | undefined) => s !== undefined && (s === '.' || /^[0-7]{6}$/.test(s));

/** GIT_EXTERNAL_DIFF: `path old-file old-hex old-mode new-file new-hex new-mode [new-path xfrm]`. */
async function externalDiff(a: string[], o: OutOpts): Promise<number> {
  const [path, oldFile, , , newFile] = a;
  const newPath = a.length >= 8 ? a[7] : path;
  const header = `lssd diff a/${path} b/${newPath}`;
  if (!path.endsWith('.lssd')) {
    // Not ours: fall back to a plain diff so GIT_EXTERNAL_DIFF can stay set for the whole repository.
    try { execFileSync('diff', ['-u', '--label', `a/${path}`, '--label', `b/${newPath}`, oldFile, newFile], { stdio: ['ignore', 'inherit', 'inherit'] }); } catch { /* diff exits 1 on differences */ }
    return 0;
  }
  const side = (file: string, at: string, label: string): Side => {
    const s = emptySide(label);
    if (file === '/dev/null') return s;
    const text = readFileSync(file, 'utf8');
    compileInto(s, at, overlayHost(at, text));
    return s;
  };
  // git ignores our exit status only when it is 0; errors are shown as diagnostics instead.
  report(side(oldFile, path, `a/${path}`), side(newFile, newPath, `b/${newPath}`), o, header);
  return 0;
}

/** textconv: FILE may be git's temporary copy of an old blob; its relative imports then resolve against the working tree. */
function runTextconv(file: string): number {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch { process.stderr.write(`error: cannot read '${file}'\n`); return 2; }
  let at = displayPath(file);
  if (!statSync(file).isFile() || relative(process.cwd(), resolve(file)).startsWith('..')) {
    // git names its temporary copies XXXXXX_<basename>: find the tracked file with that basename.
    const base = basename(file).replace(/^[A-Za-z0-9]{6}_/, '');
    const hit = trackedLssd().find((f) => basename(f) === base);
    if (hit) at = hit;
  }
  const r = compileFile(at, overlayHost(at, text));
  if (!r.value || hasErrors(r.diagnostics)) {
    // textconv output replaces the file in git's diff: show the problem there rather than failing git.
    process.stdout.write(`# lssd: ${at} does not compile\n` + renderDiagnostics(r.diagnostics, r.value?.sources ?? new Map()).replace(/^/gm, '# ') + '\n' + text);
    return 0;
  }
  process.stdout.write(textconv(r.value.experiments, (n) => r.value!.all.get(n)));
  return 0;
}

export const command: Command = {
  name: 'diff',
  summary: 'compare resolved experiments (files, dirs, names, git revisions) like `terraform plan`',
  usage: USAGE,
  async run(args) {
    const color = useColor(process.stdout, args.includes('--no-color'));
    if (args.length >= 7 && args.length <= 9 && isMode(args[3]) && isMode(args[6])) {
      return externalDiff(args, { json: false, markdown: false, all: false, color: false });
    }
    const p = parseArgs(args, { flags: ['--json', '--markdown', '--all', '--no-color', '--textconv'], values: ['--git', '--in', ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    const o: OutOpts = { json: p.flags.has('--json'), markdown: p.flags.has('--markdown'), all: p.flags.has('--all'), color };
    if (p.flags.has('--textconv')) {
      if (p.positional.length !== 1) { process.stderr.write(`error: --textconv takes one FILE\n`); return 2; }
      return runTextconv(p.positional[0]);
    }
    const host = nodeHost();
    const rev = p.values.get('--git');
    if (rev !== undefined) {
      const gh = gitHost(rev);
      if (typeof gh === 'string') { process.stderr.write(`error ${M.diffGit.code}: ${gh}\n`); return 1; }
      const files = p.positional.length ? collectFiles(p.positional).files.concat(p.positional.filter((f) => !existsSync(f))) : trackedLssd();
      if (!files.length) { process.stderr.write('error: no .lssd files to compare\n'); return 2; }
      const before = emptySide(`${rev}`); const after = emptySide('working tree');
      for (const f of files) {
        if (gh.readFile(f) !== undefined) compileInto(before, f, gh, undefined, compileOptions(p, f));
        if (existsSync(f)) compileInto(after, f, host, undefined, compileOptions(p, f));
        else if (gh.readFile(f) === undefined) { process.stderr.write(`error: '${f}' exists neither in ${rev} nor in the working tree\n`); return 2; }
      }
      return report(before, after, o);
    }
    if (p.positional.length !== 2) return usageError(args, USAGE, 'expected BEFORE and AFTER');
    const lookIn = (p.values.get('--in') ?? '.').split(',');
    const sides: Side[] = [];
    for (const a of p.positional) {
      const s = loadSide(a, lookIn, host, (f) => compileOptions(p, f));
      if (typeof s === 'string') { process.stderr.write(`error ${M.diffNotFound.code}: ${s}\n`); return 2; }
      sides.push(s);
    }
    return report(sides[0], sides[1], o);
  },
};
