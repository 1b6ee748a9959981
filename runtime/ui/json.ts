// `--json`: every event as one JSON line on stdout, for scripts and for a parent `lssdc run` merging
// its child cells' streams. Nothing else is written to stdout in this mode.
import type { TaggedRunEvent } from '../contracts.ts';
import type { LineSink } from './plain.ts';

export function createJsonRenderer(o: { out?: LineSink } = {}) {
  const out = o.out ?? process.stdout;
  return {
    onEvent(e: TaggedRunEvent) { out.write(JSON.stringify(e) + '\n'); },
    async close() { /* nothing buffered */ },
  };
}
