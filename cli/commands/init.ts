// `lssdc init [DIR]`: a new lssd project — package.json with lssd as a dependency, experiments/ with
// the quickstart and a first experiment that extends it, .gitattributes naming the semantic diff
// driver, .gitignore, a README stub. Refuses to overwrite anything (LSSD7001); what it writes is
// checked by the compiler first.
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../main.ts';
import { parseArgs, printDiagnostics, usageError, wantsJson } from '../args.ts';
import { checkGenerated, inTheWay, writeNew, type NewFiles } from '../scaffold.ts';
import { displayPath } from '../../runtime/host.ts';

const USAGE = `usage: lssdc init [options] [DIR]

Create a new lssd project in DIR (default: the current directory; created if missing):
  package.json               lssd as a dependency, scripts check and fmt
  experiments/quickstart.lssd  the lssd quickstart (CPU-sized, synthetic data)
  experiments/first.lssd     a first experiment extending it
  .gitattributes             *.lssd files diffed semantically (diff=lssd)
  .gitignore, README.md
Nothing is overwritten: if any of these files exists, nothing is written.

options:
  --lssd SPEC   the dependency spec for lssd in package.json (default: file: this lssd installation)
  --json        print the created files as JSON`;

const LSSD_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function projectFiles(dir: string, lssdSpec: string): NewFiles {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+/, '') || 'lssd-project';
  const quickstart = readFileSync(join(LSSD_ROOT, 'experiments', 'quickstart.lssd'), 'utf8');
  const pkg = {
    name, version: '0.1.0', private: true, type: 'module',
    scripts: { check: 'lssdc check experiments', fmt: 'lssdc fmt experiments' },
    dependencies: { lssd: lssdSpec },
  };
  const first = `import "./quickstart.lssd"

/// A first experiment: the quickstart with the within-modal audio term (λa = 0.2) added.
experiment first extends quickstart {
  label = "first"
  loss.lambda_a = 0.2
}
`;
  const readme = `# ${name}

Experiments written in lssd. After \`npm install\`:

    npx lssdc check experiments            # type-check every experiment
    npx lssdc run experiments/first.lssd   # train and probe it (CPU-sized, synthetic data)

\`experiments/first.lssd\` extends \`experiments/quickstart.lssd\` (lssd's quickstart, copied here). Start
another experiment from it with \`npx lssdc new experiment NAME --from first\`.

Semantic diffs of \`.lssd\` files in git (\`.gitattributes\` names the driver):

    git config diff.lssd.textconv 'npx lssdc diff --textconv'

Editors: the VS Code extension (lssd's \`editors/vscode\`) starts \`node_modules/.bin/lssdc lsp\`; other
editors can run \`npx lssdc lsp\` as a language server and use its TextMate grammar.
`;
  return new Map([
    [join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n'],
    [join(dir, 'experiments', 'quickstart.lssd'), quickstart],
    [join(dir, 'experiments', 'first.lssd'), first],
    [join(dir, '.gitattributes'), '# Diff .lssd files by their resolved meaning: git config diff.lssd.textconv \'npx lssdc diff --textconv\'\n*.lssd diff=lssd\n'],
    [join(dir, '.gitignore'), 'node_modules/\n.lssd/\n'],
    [join(dir, 'README.md'), readme],
  ]);
}

export const command: Command = {
  name: 'init',
  summary: 'create a new lssd project (package.json, experiments/, .gitattributes)',
  usage: USAGE,
  async run(args) {
    const p = parseArgs(args, { flags: ['--json'], values: ['--lssd'] });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length > 1) return usageError(args, USAGE, `init takes one directory, got ${p.positional.length}`);
    const json = wantsJson(args);
    const dir = resolve(p.positional[0] ?? '.');
    const files = projectFiles(dir, p.values.get('--lssd') ?? `file:${LSSD_ROOT.replace(/\/$/, '')}`);
    const blocked = inTheWay(files);
    if (blocked.length) { printDiagnostics(json, blocked, []); return 1; }
    const bad = checkGenerated(files, [join(dir, 'experiments', 'first.lssd')]);
    if (bad.length) { printDiagnostics(json, bad, []); return 1; }
    writeNew(files);
    const created = [...files.keys()].map((f) => displayPath(f));
    if (json) process.stdout.write(JSON.stringify({ type: 'created', files: created }) + '\n');
    else process.stdout.write(`created ${created.join(', ')}\nnext: cd ${displayPath(dir)} && npm install && npx lssdc check experiments\n`);
    return 0;
  },
};
