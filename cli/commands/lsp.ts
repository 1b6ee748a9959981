// `lssdc lsp`: the language server over stdio (lsp/server.ts). Loaded only by this command, so the
// other commands never pay for the LSP libraries.
import type { Command } from '../main.ts';
import { parseArgs, usageError } from '../args.ts';

const USAGE = `usage: lssdc lsp [--stdio]

Run the lssd language server (LSP 3.17) on stdin/stdout: diagnostics as you type, hover, completion,
go to definition, references, rename, formatting, document symbols and quick fixes.
Editors start it themselves (editors/vscode; any LSP client: command \`lssdc lsp\`).`;

export const command: Command = {
  name: 'lsp',
  summary: 'language server for editors (LSP over stdio)',
  usage: USAGE,
  async run(args) {
    // `--stdio` is what LSP clients pass by convention; stdio is the only transport.
    const p = parseArgs(args, { flags: ['--stdio'] });
    if (typeof p === 'string') return usageError(args, USAGE, p);
    if (p.positional.length) return usageError(args, USAGE, `unexpected argument '${p.positional[0]}'`);
    const { startServer } = await import('../../lsp/server.ts');
    const connection = startServer({ input: process.stdin, output: process.stdout });
    // The server runs until the client sends `exit` (or closes stdin).
    return await new Promise<number>((done) => {
      connection.onExit(() => done(0));
      process.stdin.on('end', () => done(0));
    });
  },
};
