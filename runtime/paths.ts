// The one default-root rule (every command; `--root DIR` overrides it): lssd keeps its state in
// `<project>/.lssd`, project = the nearest directory at or above PATH (a file's directory, or PATH itself
// when it is a directory) that holds a package.json or an existing .lssd directory; without one, PATH's
// own directory. PATH is the command's input: the spec file (run, probe, report, …) or, for `data`, the
// current directory. cli/README.md §root.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function defaultRoot(path: string): string {
  const abs = resolve(path);
  const start = existsSync(abs) && statSync(abs).isDirectory() ? abs : dirname(abs);
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) || isDir(join(d, '.lssd'))) return join(d, '.lssd');
    if (dirname(d) === d) return join(start, '.lssd');
  }
}

function isDir(p: string): boolean {
  try { return statSync(p).isDirectory(); } catch { return false; }
}
