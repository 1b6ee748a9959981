// `lssdc expand FILE`: list the cells of FILE's grids (name, axis values, init, stage hashes) and
// optionally write each cell as a standalone .lssd file (`--write DIR`). Cells are ordinary
// experiments, so the written files check, diff, show and run like hand-written ones.
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { diag, M } from '../../compiler/messages.ts';
import { writeFileSafely } from '../../runtime/files/write.ts';
import { reason } from '../../runtime/files/walk.ts';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from '../main.ts';
import { compileFile } from '../../compiler/index.ts';
import { hasErrors } from '../../compiler/diagnostic.ts';
import { stageHashes } from '../../compiler/hash.ts';
import { expandGrid } from '../../compiler/grid.ts';
import { format } from '../../compiler/fmt.ts';
import { parse } from '../../grammar/index.ts';
import type { Decl, File, GridDecl, Import } from '../../grammar/ast.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import { displayPath, nodeHost } from '../../runtime/host.ts';
import { displayName } from '../../compiler/profile.ts';
import { directoryProblem, parseArgs, printDiagnostics, unreadableFile, usageError, useColor } from '../args.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const USAGE = `usage: lssdc expand [options] FILE

List the cells of every grid declared in FILE: name, axis values, what it is initialised from, and
its stage hashes (pretrain, probe).

options:
  --grid NAME    only this grid
  --json         one JSON object per cell (name, grid, axes, init, hashes) in an array
  --write DIR    also write each cell as a standalone DIR/<cell>.lssd (plus DIR/_shared.lssd holding
                 FILE's other declarations, when it has any). Never overwrites FILE; refuses to
                 overwrite existing files (LSSD6040, nothing written) unless --force
  --force        with --write: replace existing cell files
  --no-color     plain diagnostics
${PROFILE_USAGE}

With a profile, each cell is listed as the profile makes it ("A4 @ cpu", its own hashes: the store entry
\`lssdc run FILE --profile NAME\` trains). --write still writes the cells as the grid declares them: a
profile is applied when a file is compiled, never written into it.`;


const relImport = (fromDir: string, target: string) => {
  let r = relative(fromDir, target).split(sep).join('/');
  if (!r.startsWith('.')) r = './' + r;
  return r;
};

export const command: Command = {
  name: 'expand',
  summary: 'list grid cells (names, axes, hashes); write them as standalone files',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--no-color', '--force'], values: ['--grid', '--write', ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length !== 1) { process.stderr.write(`error: expected one FILE\n\n${USAGE}\n`); return 2; }
    const dirProblem = directoryProblem(p.positional[0], 'file');
    if (dirProblem) return usageError(args, USAGE, dirProblem);
    const file = displayPath(p.positional[0]);
    const host = nodeHost();
    if (host.readFile(file) === undefined) return unreadableFile(file, p.flags.has('--no-color'));
    const r = compileFile(file, host, compileOptions(p, file));
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    if (r.diagnostics.length) process.stderr.write(renderDiagnostics(r.diagnostics, r.value?.sources ?? new Map(), { color }) + '\n');
    if (hasErrors(r.diagnostics) || !r.value) return 1;
    const program = r.value;
    const only = p.values.get('--grid');
    const grids = program.grids.filter((g) => !only || g.name === only);
    if (only && !grids.length) {
      process.stderr.write(`error: no grid '${only}' in ${file}${program.grids.length ? `; grids: ${program.grids.map((g) => g.name).join(', ')}` : ''}\n`);
      return 1;
    }
    if (!grids.length) { process.stderr.write(`${file} declares no grid\n`); return 0; }
    const lookup = (n: string) => program.all.get(n);
    const rows = grids.flatMap((g) => g.cells.map((c) => {
      const spec = program.all.get(c.name)!;
      return { name: c.name, ...(spec.origin.profile ? { profile: spec.origin.profile.name, label: spec.label } : {}), grid: g.name, axes: c.axes,
        init: spec.init.kind === 'from' ? spec.init.experiment : 'random', hashes: stageHashes(spec, lookup) };
    }));

    const out = p.values.get('--write');
    if (out !== undefined) {
      const ds = writeCells(file, program.sources.get(file)!.text, out, only, p.flags.has('--force'));
      if (ds.length) { printDiagnostics(p.flags.has('--json'), ds, [], color); return 1; }
    }

    if (p.flags.has('--json')) { process.stdout.write(JSON.stringify(rows, null, 2) + '\n'); return 0; }
    const axisText = (a: Record<string, unknown>) => Object.entries(a).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    const table = [['grid', 'cell', 'axes', 'init', 'pretrain', 'probe'],
      ...rows.map((x) => [x.grid, displayName({ name: x.name, origin: x.profile ? { profile: { name: x.profile } } : {} } as Parameters<typeof displayName>[0]), axisText(x.axes), x.init, x.hashes.pretrain.slice(0, 12), x.hashes.probe.slice(0, 12)])];
    const w = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    process.stdout.write(table.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n') + '\n');
    process.stdout.write(`${rows.length} cell${rows.length === 1 ? '' : 's'} in ${grids.length} grid${grids.length === 1 ? '' : 's'}` +
      (out !== undefined ? `; written to ${out}/` : '') + '\n');
    return 0;
  },
};

/**
 * Writes each cell as `DIR/<cell>.lssd`: the grid file's imports (re-pointed from DIR), an import of
 * `_shared.lssd` when the grid file declares anything besides grids, imports of the cells it extends
 * or starts from, and the cell's body as the formatter prints it.
 */
function writeCells(file: string, text: string, outDir: string, only: string | undefined, force: boolean): Diagnostic[] {
  const planned: { path: string; text: string }[] = [];
  const atomicWrite = (path: string, t: string) => { planned.push({ path, text: t }); };
  const parsed = parse({ name: file, text }).value!;
  const grids = parsed.decls.filter((d): d is GridDecl => d.kind === 'GridDecl');
  const byName = new Map(grids.map((g) => [g.name.name, g]));
  const expanded = grids.map((g) => ({ g, cells: expandGrid(g, { lookupGrid: (n) => byName.get(n) }).value?.cells ?? [] }));
  const cellNames = new Set(expanded.flatMap((x) => x.cells.map((c) => c.name)));
  const fileDir = dirname(resolve(file));
  const absOut = resolve(outDir);
  const span = parsed.span;
  const mkImport = (path: string): Import => ({ kind: 'Import', path: { kind: 'String', value: path, span }, span });
  const baseImports = parsed.imports.map((i) => {
    const v = i.path.value;
    return mkImport(v.startsWith('.') ? relImport(absOut, resolve(fileDir, v)) : v);
  });
  const others: Decl[] = parsed.decls.filter((d) => d.kind !== 'GridDecl');
  if (others.length) {
    const shared: File = { kind: 'File', source: { name: '_shared.lssd', text: '' }, imports: baseImports, decls: others, comments: parsed.comments.filter((c) => !grids.some((g) => c.span.start.offset >= g.span.start.offset && c.span.end.offset <= g.span.end.offset)), span };
    atomicWrite(join(absOut, '_shared.lssd'), `// Declarations of ${file} besides its grids, shared by the cell files beside this one.\n` + format(shared));
  }
  for (const { g, cells } of expanded) {
    if (only && g.name.name !== only) continue;
    for (const c of cells) {
      const refs = new Set<string>(c.decl.extends.map((e) => e.name));
      for (const e of c.decl.body.entries) if (e.kind === 'InitFrom' && e.target.kind === 'IdentValue') refs.add(e.target.name.split('.')[0]);
      const imports = [...baseImports];
      if (others.length) imports.push(mkImport('./_shared.lssd'));
      for (const ref of refs) if (cellNames.has(ref)) imports.push(mkImport(`./${ref}.lssd`));
      const f: File = { kind: 'File', source: { name: `${c.name}.lssd`, text: '' }, imports, decls: [c.decl], comments: [], span };
      const header = `// Cell ${c.name} of grid ${g.name.name} (${file}): ${Object.entries(c.axes).map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}.\n` +
        `// Written by \`lssdc expand --write\`; edit the grid, not this file.\n`;
      atomicWrite(join(absOut, `${c.name}.lssd`), header + format(f));
    }
  }
  // Nothing is written unless everything may be: never the source grid (a cell named like it), never
  // outside DIR, never an existing file without --force.
  const real = (x: string) => { try { return realpathSync(x); } catch { return resolve(x); } };
  const source = real(file);
  const clash = planned.filter((w) => real(w.path) === source);
  if (clash.length) return [diag(M.expandOverwritesSource, undefined, `--write ${outDir} would overwrite the grid file ${file} itself (as ${relative(process.cwd(), clash[0].path) || clash[0].path})`, { hint: 'write the cells to another directory, or rename the cell' })];
  const outside = planned.filter((w) => relative(absOut, w.path).startsWith('..') || relative(absOut, w.path).includes(sep));
  if (outside.length) return [diag(M.expandWouldOverwrite, undefined, `cell file ${outside[0].path} would land outside ${outDir}`, { hint: 'cell names must not contain path separators' })];
  const existing = planned.filter((w) => existsSync(w.path));
  if (existing.length && !force) {
    return [diag(M.expandWouldOverwrite, undefined, `--write ${outDir} would overwrite ${existing.length} existing file${existing.length === 1 ? '' : 's'}: ${existing.slice(0, 5).map((w) => relative(absOut, w.path)).join(', ')}${existing.length > 5 ? ', …' : ''}; nothing written`,
      { hint: 'pass --force to replace them, or choose an empty directory' })];
  }
  try { mkdirSync(absOut, { recursive: true }); } catch (e) { return [diag(M.writeFailed, undefined, `cannot create ${outDir}: ${reason(e)}`)]; }
  const failed: Diagnostic[] = [];
  for (const w of planned) { const err = writeFileSafely(w.path, w.text); if (err) failed.push(err); }
  return failed;
}
