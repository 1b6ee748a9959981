// The script each emscripten pthread of tfjs-backend-wasm's threaded SIMD build runs as a Node
// worker_thread (runtime/train/wasm-threads.ts points the factory's locateFile here). tfjs ships the
// worker's source only as a string (wasmWorkerContents) that it turns into a Blob URL, which Node's
// Worker cannot load; this file runs that same string at the worker's top level instead. The string
// comes from a template literal, so its "\n" escapes are real newlines inside string literals: they are
// escaped back first, as tfjs does before making its Blob. The worker code reads `require` and
// `__filename` as globals (it was written for a plain script), so they are provided.
'use strict';
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');

globalThis.require = require;
globalThis.__filename = __filename;
(0, eval)(wasmWorkerContents.replace(/\n/g, '\\n'));
