#!/usr/bin/env node
// Thin launcher: registers the TypeScript loader (tsx) and hands over to the CLI.
// Kept in plain JS so `npx lssdc` works straight after `npm install`, with no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
