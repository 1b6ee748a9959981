// Where lssd keeps its state for a spec or run directory: `<project>/.lssd`, project = the nearest
// directory at or above PATH (a file's directory, or PATH itself when it is a directory) that holds a
// package.json; without one, PATH's own directory.
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export function defaultRoot(path: string): string {
  const abs = resolve(path);
  const start = existsSync(abs) && statSync(abs).isDirectory() ? abs : dirname(abs);
  for (let d = start; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return join(d, '.lssd');
    if (dirname(d) === d) return join(start, '.lssd');
  }
}
