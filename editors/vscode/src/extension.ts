// The VS Code client: starts `lssdc lsp --stdio` (the lssd language server, lsp/ in the lssd repo)
// for .lssd files and restarts it on request or when its settings change.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

/** `lssd.server.path`, else the first workspace folder's node_modules/.bin/lssdc, else `lssdc` on the PATH. */
function serverCommand(): { command: string; args: string[] } {
  const cfg = vscode.workspace.getConfiguration('lssd');
  const args = cfg.get<string[]>('server.args') ?? ['lsp', '--stdio'];
  const configured = cfg.get<string>('server.path')?.trim();
  if (configured) return { command: configured, args };
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    const local = join(f.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'lssdc.cmd' : 'lssdc');
    if (existsSync(local)) return { command: local, args };
  }
  return { command: 'lssdc', args };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const { command, args } = serverCommand();
  const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const serverOptions: ServerOptions = { command, args, options: { cwd, shell: process.platform === 'win32' } };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'lssd' }, { scheme: 'untitled', language: 'lssd' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.lssd') },
  };
  client = new LanguageClient('lssd', 'lssd', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`lssd: could not start \`${command} ${args.join(' ')}\`: ${(e as Error).message}. Set "lssd.server.path" to your lssdc.`);
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('lssd.restartServer', async () => { await client?.stop(); await start(context); }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('lssd.server')) { await client?.stop(); await start(context); }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
