// Renderers of the run event stream. The runtime never prints: it emits RunEvents, and one of these
// displays them — 'ink' (interactive terminal), 'plain' (CI, pipes), 'json' (scripts, child cells).
import type { TaggedRunEvent } from '../contracts.ts';
import { createPlainRenderer } from './plain.ts';
import { createJsonRenderer } from './json.ts';

export interface Renderer {
  onEvent(e: TaggedRunEvent): void;
  /** Flushes and restores the terminal (Ink unmounts). */
  close(): Promise<void>;
}

export type RendererMode = 'ink' | 'plain' | 'json';

/** --json wins; otherwise Ink on an interactive terminal outside CI, plain lines elsewhere. */
export function chooseMode(flags: { json?: boolean; plain?: boolean }, env: NodeJS.ProcessEnv = process.env, isTTY = !!process.stdout.isTTY): RendererMode {
  if (flags.json) return 'json';
  if (flags.plain || !isTTY || (env.CI && env.CI !== 'false' && env.CI !== '0') || env.TERM === 'dumb') return 'plain';
  return 'ink';
}

export async function createRenderer(mode: RendererMode): Promise<Renderer> {
  if (mode === 'json') return createJsonRenderer();
  if (mode === 'plain') return createPlainRenderer();
  // Ink and React load only for the interactive UI (~150 ms).
  const { createInkRenderer } = await import('./ink.tsx');
  return createInkRenderer();
}
