// A real LSP client for the tests: `lssdc lsp` as a child process, spoken to over stdio with the
// vscode-languageserver-protocol client connection (vscode-jsonrpc underneath).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, ExitNotification,
  InitializedNotification, InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
  type Diagnostic, type ProtocolConnection, type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const uriOf = (rel: string, root = repoRoot): string => pathToFileURL(join(root, rel)).href;
export const diskText = (rel: string): string => readFileSync(join(repoRoot, rel), 'utf8');

export interface Client {
  conn: ProtocolConnection;
  child: ChildProcess;
  stderr: () => string;
  open(uri: string, text: string): void;
  change(uri: string, text: string): void;
  /** The next diagnostics published for `uri` that satisfy `ok` (the latest ones already received count). */
  diagnostics(uri: string, ok?: (ds: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  close(): Promise<void>;
}

export async function startClient(o: { root?: string; debounceMs?: number } = {}): Promise<Client> {
  const root = o.root ?? repoRoot;
  const child = spawn(process.execPath, [join(repoRoot, 'bin/lssdc.js'), 'lsp', '--stdio'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b) => { err += b; });
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const latest = new Map<string, Diagnostic[]>();
  const waiters: { uri: string; ok: (ds: Diagnostic[]) => boolean; resolve: (ds: Diagnostic[]) => void }[] = [];
  conn.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, p.diagnostics);
    for (const w of [...waiters]) if (w.uri === p.uri && w.ok(p.diagnostics)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(p.diagnostics); }
  });
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(root).href, workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'root' }],
    capabilities: {}, initializationOptions: { debounceMs: o.debounceMs ?? 20 },
  });
  await conn.sendNotification(InitializedNotification.type, {});
  const versions = new Map<string, number>();
  return {
    conn, child, stderr: () => err,
    open(uri, text) {
      versions.set(uri, 1);
      void conn.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'lssd', version: 1, text } });
    },
    change(uri, text) {
      const v = (versions.get(uri) ?? 1) + 1; versions.set(uri, v);
      void conn.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: v }, contentChanges: [{ text }] });
    },
    diagnostics(uri, ok = () => true, timeoutMs = 20000) {
      const have = latest.get(uri);
      latest.delete(uri);
      if (have && ok(have)) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(latest.get(uri))}\n${err}`)), timeoutMs);
        waiters.push({ uri, ok, resolve: (ds) => { clearTimeout(t); resolve(ds); } });
      });
    },
    async close() {
      await conn.sendRequest(ShutdownRequest.type);
      const exited = new Promise((r) => child.once('exit', r));
      await conn.sendNotification(ExitNotification.type);
      await exited;
      conn.dispose();
    },
  };
}
