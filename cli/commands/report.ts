// `lssdc report RUN_DIR | FILE.lssd`: Markdown + self-contained HTML report of runs (results table in the
// style of the paper's Table 2, run records, loss curves, embedding plots). Wiring only: runtime/report.
import { resolve, join, basename } from 'node:path';
import type { Command } from '../main.ts';
import type { Diagnostic } from '../../compiler/diagnostic.ts';
import { isProbeError } from '../../runtime/probes/errors.ts';
import { resolveTargets, renderForStderr } from './probe.ts';
import { directoryProblem, parseArgs, usageError } from '../args.ts';
import { PROFILE_ARGS, PROFILE_USAGE } from '../profile-flags.ts';

const usage = `usage: lssdc report RUN_DIR | FILE.lssd [options]

Writes report.md (with its charts as .svg files beside it) and a self-contained report.html: a results
table in the style of the paper's Table 2 (rows = variants, seeds merged as mean ± std; columns = probe
tasks grouped by kind; best per ablation group in bold), the run records (spec hash, backend, seed, time),
pretraining loss curves, and 2-D PCA plots of probe-set embeddings coloured by scene and by language.
For FILE, the run directories of its experiments (grid cells expanded) are found by stage hash.

options:
  --out DIR          output directory (default: <root>/reports/<name of FILE or RUN_DIR>)
  --md-name NAME     file name of the Markdown report (default: report.md; the HTML gets the same stem)
  --assets DIR       sub-directory of --out for the SVG charts report.md links to (default: beside it)
  --template FILE    your own Handlebars template (*.md.hbs or *.html.hbs) replacing the built-in one
  --layout L         default | table2 (the paper's Table 2: its task order, 2 decimals) | b3 (Tables B.3/B.4:
                     tasks as rows, variants as columns, an M column, best bold and worst marked)
  --title TEXT       report title
  --root DIR         where runs live (default: <project>/.lssd)
${PROFILE_USAGE}`;

export const command: Command = {
  name: 'report',
  summary: 'render Markdown + HTML reports (results table, run records, loss curves, embedding plots)',
  usage,
  async run(args) {
    const p = parseArgs(args, { values: ['--out', '--template', '--root', '--title', '--md-name', '--assets', '--layout', ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat, aliases: { '--runs-dir': '--root' } });
    if (typeof p === 'string') return usageError(args, usage, p);
    if (p.positional.length > 1) return usageError(args, usage, `one RUN_DIR or FILE, got '${p.positional[0]}' and '${p.positional[1]}'`);
    const target = p.positional[0];
    if (!target) return usageError(args, usage, 'missing RUN_DIR or FILE.lssd');
    const dirProblem = directoryProblem(target, 'file-or-dir');
    if (dirProblem) return usageError(args, usage, dirProblem);
    const [out, template, root, title, mdName, assets, layout] = ['--out', '--template', '--root', '--title', '--md-name', '--assets', '--layout'].map((k) => p.values.get(k));
    if (layout !== undefined && !['default', 'table2', 'b3'].includes(layout)) return usageError(args, usage, `--layout must be default, table2 or b3, got '${layout}'`);
    if (mdName && !/^[^/\\]+\.md$/.test(mdName)) return usageError(args, usage, `--md-name must be a file name ending in .md, got '${mdName}'`);
    try {
      const profile = p.values.get('--profile'); const catalogs = p.lists.get('--catalog');
      const resolved = await resolveTargets(target, root, [], { ...(profile !== undefined ? { profile } : {}), ...(catalogs?.length ? { catalogs } : {}) });
      if (resolved.diagnostics.length) process.stderr.write(renderForStderr(resolved.diagnostics, resolved.sources) + '\n');
      if (!resolved.targets) return 1;
      const { readRunDir, notRun } = await import('../../runtime/report/collect.ts');
      const { buildReportModel, writeReport } = await import('../../runtime/report/index.ts');
      const runs = resolved.targets.map((t) => (t.exists ? readRunDir(t.runDir, { spec: t.spec, hashes: t.hashes, profile: t.profile }) : notRun(t.spec, t.hashes, t.runDir)));
      const stem = basename(resolve(target)).replace(/\.lssd$/, '');
      const model = buildReportModel(runs, { title: title ?? `lssd report: ${stem}`, source: target });
      const dir = resolve(out ?? join(resolved.root, 'reports', stem));
      const files = writeReport(model, dir, { ...(template ? { template } : {}), ...(layout ? { layout: layout as 'default' | 'table2' | 'b3' } : {}), ...(mdName ? { mdName } : {}), ...(assets ? { assetsDir: assets } : {}) });
      for (const f of files) process.stdout.write(`wrote ${f}\n`);
      return 0;
    } catch (e) {
      if (isProbeError(e)) { process.stderr.write(renderForStderr([e.toDiagnostic() as Diagnostic], new Map()) + '\n'); return 1; }
      throw e;
    }
  },
};
