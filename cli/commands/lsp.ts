// `lssdc lsp`: the language server over stdio (lsp/server.ts). Loaded only by this command, so the
// other commands never pay for the LSP libraries.
import type { Command } from '../main.ts';

const USAGE = `usage: lssdc lsp [--stdio]

Run the lssd language server (LSP 3.17) on stdin/stdout: diagnostics as you type, hover, completion,
go to definition, references, rename, formatting, document symbols and quick fixes.
Editors start it themselves (editors/vscode; any LSP client: command \`lssdc lsp\`).`;

export const command: Command = {
  name: 'lsp',
  summary: 'language server for editors (LSP over stdio)',
  usage: USAGE,
  async run(args) {
    const bad = args.find((a) => a !== '--stdio');
    if (bad !== undefined) { process.stderr.write(`error: unknown option '${bad}'\n\n${USAGE}\n`); return 2; }
    const { startServer } = await import('../../lsp/server.ts');
    const connection = startServer({ input: process.stdin, output: process.stdout });
    // The server runs until the client sends `exit` (or closes stdin).
    return await new Promise<number>((done) => {
      connection.onExit(() => done(0));
      process.stdin.on('end', () => done(0));
    });
  },
};
