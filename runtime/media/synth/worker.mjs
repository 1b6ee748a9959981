// Worker bootstrap in plain JS: registers the TypeScript loader in this thread, then loads the worker.
// (Passing `--import tsx` in execArgv is not enough: the worker's entry is resolved before the hook.)
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
