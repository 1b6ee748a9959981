// lssdc: the command-line entry. It only wires pieces together: each command lives in
// cli/commands/<name>.ts and exports `command: Command`. Exit codes: 0 ok, 1 errors, 2 usage.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { M, nearest } from '../compiler/messages.ts';
import { wantsJson } from './args.ts';
import { cached } from './result-cache.ts';

export interface Command {
  name: string;
  /** One line for `lssdc --help`. */
  summary: string;
  /** Full usage text for `lssdc help NAME` / `lssdc NAME --help`. */
  usage: string;
  run(args: string[]): Promise<number>;
}

export const COMMANDS = ['check', 'fmt', 'show', 'diff', 'expand', 'table', 'data', 'run', 'status', 'cancel', 'probe', 'report', 'runs', 'gc', 'lsp', 'init', 'new', 'completion', 'doctor'] as const;

export async function load(name: string): Promise<Command | undefined> {
  const file = fileURLToPath(new URL(`./commands/${name}.ts`, import.meta.url));
  if (!existsSync(file)) return undefined;
  const mod = await import(`./commands/${name}.ts`);
  return mod.command as Command;
}

async function help(): Promise<string> {
  const lines = ['usage: lssdc <command> [options]', '', 'commands:'];
  for (const name of COMMANDS) {
    const c = await load(name);
    if (c) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  }
  lines.push('', 'Run `lssdc <command> --help` for a command\'s options.');
  return lines.join('\n');
}

/** Errors from the user's machine, not from lssd: reported as LSSD5046 with the path, never as "internal error". */
const FS_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EIO', 'EMFILE', 'ENFILE', 'ENAMETOOLONG', 'ELOOP', 'ENOTDIR', 'EISDIR', 'EBUSY', 'ETXTBSY', 'EFBIG']);

let outputGuarded = false;
/**
 * Output that cannot be written: a closed pipe (`lssdc show x | head`) stops quietly, as a tool killed
 * by SIGPIPE does, with its status 141 (Node ignores SIGPIPE, so the write fails with EPIPE instead,
 * which unhandled is a stack trace); any other failure (stdout on a full disk: ENOSPC, EIO) is one
 * coded line on stderr and exit 1. A run in progress (it listens for SIGTERM) stops as on SIGTERM
 * instead: checkpoint, run.json `interrupted`, exit 143. Installed once per process.
 */
function guardOutput() {
  if (outputGuarded) return;
  outputGuarded = true;
  let failed = false;
  const onError = (stream: 'stdout' | 'stderr') => (e: NodeJS.ErrnoException) => {
    if (failed) return; // later writes to the broken stream fail too
    failed = true;
    if (process.listenerCount('SIGTERM') > 0) { process.emit('SIGTERM', 'SIGTERM'); return; }
    if (e?.code === 'EPIPE') process.exit(141);
    if (stream === 'stdout') {
      try { process.stderr.write(`error ${M.fileSystemRefused.code}: cannot write standard output: ${String(e?.message ?? e).split('\n')[0]}\n  hint: free space or send the output elsewhere\n`); } catch { /* stderr is gone too */ }
    }
    process.exit(1);
  };
  process.stdout.on('error', onError('stdout'));
  process.stderr.on('error', onError('stderr'));
}

/**
 * Runs `lssdc ARGV`; returns the exit code. `build`: the text of build/stamp.json of the build this code
 * came from (bin/lssdc.js's bundle, the startup snapshot), which turns on `check`'s result cache
 * (cli/result-cache.ts) keyed on it; the sources (tsx) pass none and always compile.
 */
export async function main(argv: string[], build?: string): Promise<number> {
  guardOutput();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) {
      const c = (COMMANDS as readonly string[]).includes(rest[0]) ? await load(rest[0]) : undefined;
      if (c) { process.stdout.write(c.usage + '\n'); return 0; }
      const guess = nearest(rest[0], COMMANDS);
      process.stderr.write(`error: no command '${rest[0]}'${guess ? `\n  hint: did you mean 'lssdc help ${guess}'?` : ''}\n\n${await help()}\n`);
      return 2;
    }
    process.stdout.write((await help()) + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`lssdc ${pkg.version}\n`);
    return 0;
  }
  const cmd = (COMMANDS as readonly string[]).includes(name) ? await load(name) : undefined;
  if (!cmd) {
    const guess = nearest(name, COMMANDS);
    process.stderr.write(`error: unknown command '${name}'${guess ? `\n  hint: did you mean '${guess}'?` : ''}\n\n${await help()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) { process.stdout.write(cmd.usage + '\n'); return 0; }
  try {
    // --watch runs until stopped: nothing to store.
    if (name === 'check' && !rest.includes('--watch')) return await cached(build, argv, () => cmd.run(rest));
    return await cmd.run(rest);
  } catch (e) {
    // The user's file system said no (a full disk, a read-only run directory) somewhere no command
    // caught it: that is the world, not a bug — a coded line naming the path, exit 1.
    const fsErr = e as NodeJS.ErrnoException;
    if (fsErr?.code && FS_ERRNOS.has(fsErr.code) && typeof fsErr.path === 'string') {
      // Loaded only on this path: `lssdc --version` and every command's start stay as light as they were.
      const [{ reason }, { displayPath }, { cleanText }] = await Promise.all([import('../runtime/files/walk.ts'), import('../runtime/host.ts'), import('../compiler/render.ts')]);
      const message = `${fsErr.syscall ?? 'access'} ${displayPath(fsErr.path)}: ${reason(fsErr)}`;
      const hint = 'free space or fix the permissions, then re-run (finished work and checkpoints are kept)';
      if (wantsJson(rest)) process.stdout.write(JSON.stringify({ type: 'error', code: M.fileSystemRefused.code, exitCode: 1, message, hint }) + '\n');
      else process.stderr.write(`error ${M.fileSystemRefused.code}: ${cleanText(message)}\n  hint: ${hint}\n`);
      return 1;
    }
    // Commands report user errors as diagnostics; reaching here is a bug in lssd, not in the user's input.
    const err = e as Error;
    if (wantsJson(rest)) process.stdout.write(JSON.stringify({ type: 'error', kind: 'internal', exitCode: 70, message: err?.message ?? String(e) }) + '\n');
    process.stderr.write(`internal error in 'lssdc ${name}': ${err?.message ?? String(e)}\n` +
      `  This is a bug in lssd. Re-run with LSSD_DEBUG=1 for the stack trace and please report it.\n`);
    if (process.env.LSSD_DEBUG) process.stderr.write(String(err?.stack) + '\n');
    return 70;
  }
}
