// `--profile NAME` and `--catalog NAME=PATH` (repeatable), shared by check, show, diff, table and run:
// they become the compiler's CompileOptions (compiler/index.ts; docs/language.md §4.5–4.6). The
// project file is the one of the project holding the input file (runtime/host.ts projectFileFor).
import type { CompileOptions } from '../compiler/index.ts';
import type { ParsedArgs } from './args.ts';
import { projectFileFor } from '../runtime/host.ts';

/** Merge into a command's ArgSpec: `{ values: [...own, ...PROFILE_ARGS.values], repeat: PROFILE_ARGS.repeat }`. */
export const PROFILE_ARGS = { values: ['--profile'], repeat: ['--catalog'] } as const;

export const PROFILE_USAGE = `  --profile NAME         run the experiments at a profile's scale (stdlib: paper, cpu, cpu_smoke;
                         default: lssd.project's \`profile\`; \`none\` for no profile)
  --catalog NAME=PATH    bind the catalog NAME (e.g. paper-movies-episodes) to a media directory or a
                         catalog file; repeatable; wins over lssd.project's bindings`;

/** CompileOptions for the input `file` from parsed flags. */
export function compileOptions(p: ParsedArgs, file: string, more: Partial<CompileOptions> = {}): CompileOptions {
  const o: CompileOptions = { project: projectFileFor(file), ...more };
  const profile = p.values.get('--profile');
  if (profile !== undefined) o.profile = profile;
  const catalogs = p.lists.get('--catalog');
  if (catalogs?.length) o.catalogs = catalogs;
  return o;
}
