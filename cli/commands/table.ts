// `lssdc table FILE...`: a table of experiments (default columns: the paper's Table 1) rendered with
// Handlebars — Markdown, HTML, or a user template. Data: compiler/table.ts; rendering:
// runtime/report/table/render.ts.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from '../main.ts';
import { compileFile } from '../../compiler/index.ts';
import { hasErrors, type Diagnostic } from '../../compiler/diagnostic.ts';
import type { ResolvedSpec } from '../../compiler/spec.ts';
import type { Source } from '../../grammar/ast.ts';
import { parseCached } from '../../compiler/resolve-load.ts';
import { gridAxes, type GridInfoAxis } from '../../compiler/grid.ts';
import { BUILTIN_COLUMNS, tableData, unknownColumns } from '../../compiler/table.ts';
import { didYouMean } from '../../compiler/messages.ts';
import { renderDiagnostics } from '../../compiler/render.ts';
import { renderTable, TemplateError, type TableFormat } from '../../runtime/report/table/render.ts';
import { nodeHost } from '../../runtime/host.ts';
import { collectFiles } from './check.ts';
import { parseArgs, usageError, useColor } from '../args.ts';
import { compileOptions, PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const USAGE = `usage: lssdc table [options] FILE...

Render a table of the experiments declared in FILE... (grid cells expanded, in order). The default
columns are the paper's Table 1: # data, init., (λv, λa), original language, avg. # dubs, dub augment.

options:
  --format F       markdown (default) or html
  --template FILE  a Handlebars template instead of the built-in one (*.html / *.html.hbs → html);
                   the view is described in docs/diff-and-grids.md
  --columns LIST   comma-separated column ids (${BUILTIN_COLUMNS.map((c) => c.id).join(', ')}) or resolved-spec
                   paths (e.g. optim.duration,model.video.name)
  --title TEXT     table title (default: "Details of different pretraining model variants")
  --out FILE       write to FILE (atomically) instead of stdout
  --json           the table data as JSON
  --no-color       plain diagnostics
${PROFILE_USAGE}`;

export const command: Command = {
  name: 'table',
  summary: 'render a table of experiments (default: the paper\'s Table 1 columns) via Handlebars',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json', '--no-color'], values: ['--format', '--template', '--columns', '--title', '--out', ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (!p.positional.length) return usageError(args, USAGE, 'no FILE given');
    const { files, missing, diagnostics: walked } = collectFiles(p.positional);
    if (missing.length) return usageError(args, USAGE, missing.map((m) => `no such file or directory: ${m}`).join('; '));
    if (!files.length && !walked.length) return usageError(args, USAGE, `no .lssd files under ${p.positional.join(', ')}`);
    const tplPath = p.values.get('--template');
    let format = p.values.get('--format') as TableFormat | 'md' | undefined;
    if (format === 'md') format = 'markdown';
    if (format !== undefined && format !== 'markdown' && format !== 'html') {
      process.stderr.write(`error: --format must be markdown or html, got '${format}'\n`); return 2;
    }
    if (!format) format = tplPath && /\.html?(\.hbs)?$/.test(tplPath) ? 'html' : 'markdown';
    let template: { name: string; text: string } | undefined;
    if (tplPath) {
      try { template = { name: basename(tplPath), text: readFileSync(tplPath, 'utf8') }; }
      catch { process.stderr.write(`error: cannot read template '${tplPath}'\n`); return 2; }
    }

    const host = nodeHost();
    const diagnostics: Diagnostic[] = [...walked];
    const sources = new Map<string, Source>();
    const specs: ResolvedSpec[] = [];
    const named = new Set<string>();
    const all = new Map<string, ResolvedSpec>();
    for (const f of files) {
      const r = compileFile(f, host, compileOptions(p, f));
      diagnostics.push(...r.diagnostics);
      for (const [k, s] of r.value?.sources ?? []) sources.set(k, s);
      for (const [k, s] of r.value?.all ?? []) if (!all.has(k)) all.set(k, s);
      // First of each name, in file order (a Set: a linear scan per experiment made a 10 MB file quadratic).
      for (const s of r.value?.experiments ?? []) if (!named.has(s.name)) { named.add(s.name); specs.push(s); }
    }
    const color = useColor(process.stderr, p.flags.has('--no-color'));
    if (diagnostics.length) process.stderr.write(renderDiagnostics(diagnostics, sources, { color }) + '\n');
    if (hasErrors(diagnostics)) return 1;
    if (!specs.length) { process.stderr.write(`error: no experiments in ${p.positional.join(', ')}\n`); return 1; }

    const columns = p.values.get('--columns')?.split(',').map((s) => s.trim()).filter(Boolean);
    if (columns) {
      const bad = unknownColumns(columns, specs[0]);
      if (bad.length) {
        const hint = didYouMean(bad[0], BUILTIN_COLUMNS.map((c) => c.id));
        process.stderr.write(`error: unknown column${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b}'`).join(', ')}` +
          `\n  hint: ${hint ?? `built-in columns: ${BUILTIN_COLUMNS.map((c) => c.id).join(', ')}; or a resolved-spec path such as optim.duration`}\n`);
        return 2;
      }
    }
    // Axis labels (`as "ESF"`) come from the grid declarations in the sources: the compile's parses
    // (a second parse of each source held a second AST, 1.5 GB at 10 MB).
    const grids = new Map<string, GridInfoAxis[]>();
    for (const s of sources.values()) {
      for (const d of parseCached(s).value?.decls ?? []) if (d.kind === 'GridDecl') grids.set(d.name.name, gridAxes(d));
    }
    const data = tableData(specs, { all, grids, columns, title: p.values.get('--title') });
    let text: string;
    if (p.flags.has('--json')) text = JSON.stringify(data, null, 2) + '\n';
    else {
      try { text = renderTable(data, { format, template }); }
      catch (e) {
        if (e instanceof TemplateError) { process.stderr.write(`error: ${e.message}\n`); return 1; }
        throw e;
      }
    }
    const out = p.values.get('--out');
    if (out) {
      const tmp = `${out}.tmp-${process.pid}`;
      writeFileSync(tmp, text); renameSync(tmp, out);
    } else process.stdout.write(text);
    return 0;
  },
};
