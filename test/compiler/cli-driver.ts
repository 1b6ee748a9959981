// Runs several `lssdc` invocations in one process (one tsx start-up instead of one per command) and
// prints [{ code, out, err }] as JSON. Used by cli.test.ts; argv[2] is a JSON array of argument arrays.
import { main } from '../../cli/main.ts';

const runs = JSON.parse(process.argv[2]) as string[][];
const results: { code: number; out: string; err: string }[] = [];
const ow = process.stdout.write.bind(process.stdout);
const ew = process.stderr.write.bind(process.stderr);
for (const args of runs) {
  let out = ''; let err = '';
  process.stdout.write = ((c: string | Uint8Array) => { out += String(c); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array) => { err += String(c); return true; }) as typeof process.stderr.write;
  let code: number;
  try { code = await main(args); } finally { process.stdout.write = ow; process.stderr.write = ew; }
  results.push({ code, out, err });
}
ow(JSON.stringify(results));
