// The lowering, runtime and tooling part of the diagnostic catalog (LSSD4xxx, LSSD5xxx, LSSD70xx); compiler/messages.ts
// re-exports it and lists it in CATALOG. Pure data like the rest of compiler/: runtime modules import
// these constants (runtime → compiler is the allowed direction), never the other way round.
// Codes are stable: never renumber, only append. Blocks of the 5xxx range:
//   500x/501x media and data (runtime/media) · 502x synthetic corpus (runtime/media/synth)
//   53xx training (runtime/train) · 54xx probes and reports (runtime/probes, runtime/report)
//   58xx orchestration (runtime/orchestrate, `lssdc run`); 586x cluster executors (executors/slurm)
import type { MessageDef } from './messages.ts';
import type { Severity } from './diagnostic.ts';

/** Keeps the code's literal type, so `TrainCode`-style unions can be derived from the catalog. */
const def = <C extends string>(code: C, severity: Severity, title: string, section: string): MessageDef & { code: C } =>
  ({ code, severity, title, section });

/** Lowering (compiler/lower.ts). */
export const LOWER = {
  incompatibleInit: def('LSSD4001', 'error', '`init from` an experiment whose backbones or embedding do not match', '§9.1'),
  tooLarge: def('LSSD4002', 'error', 'plan too large to train on the CPU backends', '§9.1'),
  badBackboneConfig: def('LSSD4003', 'error', 'backbone config key missing, mistyped or unknown', '§9.1'),
  modalityMismatch: def('LSSD4004', 'error', 'modality and towers disagree', '§9.1'),
  emptyLoss: def('LSSD4005', 'error', 'the loss has nothing to optimise', '§9.1'),
  unknownInitParent: def('LSSD4006', 'error', '`init from` names an unknown experiment', '§9.1'),
  badBatch: def('LSSD4007', 'error', 'batch settings cannot form a device batch', '§9.1'),
} as const;

/** Media and data (runtime/media). */
export const DATA = {
  unreadable: def('LSSD5001', 'error', 'media file cannot be opened or parsed by ffprobe', '§9.2'),
  zeroLength: def('LSSD5002', 'error', 'media file empty or of zero duration', '§9.2'),
  noAudio: def('LSSD5003', 'error', 'no usable audio stream', '§9.2'),
  undLanguage: def('LSSD5004', 'warning', 'audio stream without a language tag skipped', '§9.2'),
  truncated: def('LSSD5005', 'error', 'media file ends before its declared duration', '§9.2'),
  noVideo: def('LSSD5006', 'error', 'no video stream for cross-modal training', '§9.2'),
  badSidecar: def('LSSD5007', 'error', 'cuts sidecar is not `{ "cuts": number[] }`', '§9.2'),
  decodeFailed: def('LSSD5008', 'error', 'feature extraction (ffmpeg decode) failed', '§9.2'),
  externalCatalog: def('LSSD5010', 'error', 'catalog exists only at paper scale', '§9.2'),
  noMedia: def('LSSD5011', 'error', 'directory to index missing or without media', '§9.2'),
  emptyDataset: def('LSSD5012', 'error', 'filters leave no titles or shots to train on', '§9.2'),
  missingPrimary: def('LSSD5013', 'warning', 'title without the primary language filtered out', '§9.2'),
  badArgument: def('LSSD5014', 'error', 'bad argument to a data command or API', '§9.2'),
} as const;

/** Ingest: what `lssdc data index` finds while walking a tree and before probing (runtime/media/index.ts). */
export const INGEST = {
  duplicateMedia: def('LSSD5070', 'warning', 'byte-identical media files: one title kept', '§9.2'),
  containerMismatch: def('LSSD5071', 'warning', 'file name and content name different containers', '§9.2'),
  outsideCorpus: def('LSSD5072', 'warning', 'media outside titles/ of a synthetic corpus not indexed', '§9.2'),
  notIndexed: def('LSSD5073', 'info', 'files not indexed as media, counted by reason', '§9.2'),
} as const;

/** Synthetic-corpus generator (runtime/media/synth). */
export const SYNTH = {
  espeakMissing: def('LSSD5020', 'error', 'eSpeak NG (optional dependency) not installed or fails to load', '§9.2'),
  unsupportedLanguage: def('LSSD5021', 'error', 'no voice and sentence bank for the language', '§9.2'),
  renderFailed: def('LSSD5022', 'error', 'ffmpeg failed while rendering a title or probe clips', '§9.2'),
  corpusConflict: def('LSSD5023', 'error', 'corpus directory belongs to other parameters or is not writable', '§9.2'),
  corpusLocked: def('LSSD5024', 'error', 'another process is generating the same corpus', '§9.2'),
  interrupted: def('LSSD5025', 'error', 'corpus generation interrupted', '§9.2'),
} as const;

/** Training (runtime/train). */
export const TRAIN = {
  backendUnavailable: def('LSSD5301', 'error', 'requested backend unavailable', '§9.2'),
  shapeMismatch: def('LSSD5302', 'error', 'batch shape does not match the plan', '§9.2'),
  badCheckpoint: def('LSSD5303', 'error', 'checkpoint unreadable or incomplete', '§9.2'),
  foreignCheckpoint: def('LSSD5304', 'error', 'checkpoint belongs to another spec or model', '§9.2'),
  noParentCheckpoint: def('LSSD5305', 'error', '`init from` parent has no final checkpoint', '§9.2'),
  selftestFailed: def('LSSD5306', 'error', 'gradient self-test failed', '§9.2'),
  nonFinite: def('LSSD5307', 'error', 'loss became NaN or infinite', '§9.2'),
  badPlan: def('LSSD5308', 'error', 'plan not runnable by this runtime', '§9.2'),
} as const;

/** Backend provisioning and `lssdc doctor` (provision/, runtime/doctor). */
export const DOCTOR = {
  nativeUnavailable: def('LSSD5330', 'error', 'native TensorFlow backend unavailable (auto falls back to wasm)', '§9.2'),
  nativeCrashes: def('LSSD5331', 'error', 'loading @tensorflow/tfjs-node kills the process', '§9.2'),
  wasmUnavailable: def('LSSD5332', 'warning', 'wasm backend does not initialise', '§9.2'),
  gpuUnused: def('LSSD5333', 'warning', 'NVIDIA GPU visible but TensorFlow has no GPU device', '§9.2'),
  brokenEntries: def('LSSD5334', 'warning', 'native-backend cache entries set aside as broken', '§9.2'),
} as const;

/** Graph mode of the training step on tensorflow (runtime/train/graph.ts, graph-train.ts). */
export const GRAPH = {
  eagerFallback: def('LSSD5350', 'warning', 'training step cannot run as a TensorFlow graph: trained eagerly', '§9.2'),
} as const;

/** The threaded wasm backend (runtime/train/wasm-threads.ts, LSSD_WASM_THREADS). */
export const WASM = {
  badThreads: def('LSSD5351', 'error', 'LSSD_WASM_THREADS is not an integer from 1 to 8', '§9.2'),
  threadedFailed: def('LSSD5352', 'warning', 'threaded wasm backend failed to start: trained on single-threaded wasm', '§9.2'),
  badJobs: def('LSSD5353', 'error', 'LSSD_JOBS is not an integer from 1 to 256', '§9.2'),
} as const;

/** Probes and reports (runtime/probes, runtime/report). */
export const PROBE = {
  taskMissing: def('LSSD5401', 'error', 'task directory missing or unreadable', '§9.2'),
  badMetadata: def('LSSD5402', 'error', 'task_metadata.json or labelvocabulary.csv invalid', '§9.2'),
  badSplit: def('LSSD5403', 'error', 'fold or split file missing or invalid', '§9.2'),
  unknownLabel: def('LSSD5404', 'error', 'label not in labelvocabulary.csv', '§9.2'),
  unsupportedTask: def('LSSD5405', 'error', 'unsupported HEAR task kind', '§9.2'),
  clipMissing: def('LSSD5406', 'error', 'audio or video clip missing or undecodable', '§9.2'),
  noEncoder: def('LSSD5407', 'error', 'no usable encoder or checkpoint for the probe', '§9.2'),
  emptySplit: def('LSSD5408', 'error', 'split empty (nothing to train or test on)', '§9.2'),
  badSettings: def('LSSD5409', 'error', 'probe settings invalid', '§9.2'),
  badReportInput: def('LSSD5410', 'error', 'report or probe input invalid', '§9.2'),
  templateFailed: def('LSSD5411', 'error', 'report template failed to compile or render', '§9.2'),
  unknownMetric: def('LSSD5420', 'error', 'task metric is not a scene-level score', '§9.2'),
  badNpy: def('LSSD5421', 'error', '.npy file invalid or of an unsupported kind', '§9.2'),
  badEmbeddings: def('LSSD5422', 'error', 'embeddings directory (hear-eval-kit layout) invalid', '§9.2'),
  exportFailed: def('LSSD5423', 'error', 'cannot write the hear-eval-kit export', '§9.2'),
} as const;

/** Orchestration (`lssdc run`, runtime/orchestrate). */
export const RUN = {
  externalCatalog: def('LSSD5801', 'error', 'experiment trains on an external (paper-scale) catalog', '§9.2'),
  locked: def('LSSD5802', 'error', 'run directory in use by another run', '§9.2'),
  staleLock: def('LSSD5803', 'warning', 'stale run-directory lock taken over', '§9.2'),
  unknownCell: def('LSSD5804', 'error', '`--cell` names no experiment', '§9.2'),
  parentFailed: def('LSSD5805', 'error', '`init from` parent did not finish', '§9.2'),
  cellFailed: def('LSSD5806', 'error', 'experiment failed', '§9.2'),
  badFlag: def('LSSD5807', 'error', 'bad command-line flag value', '§9.2'),
  noExperiments: def('LSSD5808', 'error', 'file declares no experiment to run', '§9.2'),
  lineageCycle: def('LSSD5809', 'error', 'experiments initialise from each other in a cycle', '§9.2'),
  sharedFailed: def('LSSD5820', 'error', 'the experiment sharing this pretraining did not finish', '§9.2'),
  storeCollision: def('LSSD5821', 'error', 'run-store entry belongs to another pretrain hash', '§9.2'),
  gcSkipped: def('LSSD5822', 'warning', '`lssdc gc` left an entry in use', '§9.2'),
} as const;

/** Editor support and scaffolding (LSSD70xx: `lssdc init`, `lssdc new`, `lssdc lsp`). */
export const SCAFFOLD = {
  wouldOverwrite: def('LSSD7001', 'error', '`init` or `new` would overwrite an existing file', '§9.3'),
  unknownBase: def('LSSD7002', 'error', '`new --from` names no experiment or preset', '§9.3'),
  badName: def('LSSD7003', 'error', 'name for `new` is not a valid, unused declaration name', '§9.3'),
  scaffoldInvalid: def('LSSD7004', 'error', 'generated file does not check', '§9.3'),
} as const;

/** Cluster executors (executors/slurm: `lssdc run --executor slurm`, `lssdc status`, `lssdc cancel`). */
export const EXEC = {
  noSlurm: def('LSSD5860', 'error', 'SLURM command not found or not answering', '§9.2'),
  submitFailed: def('LSSD5861', 'error', 'sbatch refused a job array', '§9.2'),
  badSetting: def('LSSD5862', 'error', 'bad `--slurm KEY=VALUE` or executor setting', '§9.2'),
  noSubmission: def('LSSD5863', 'error', 'no SLURM submission recorded for this file', '§9.2'),
  alreadyQueued: def('LSSD5864', 'warning', 'cell already queued or running on the cluster: not submitted again', '§9.2'),
  noAccounting: def('LSSD5865', 'warning', 'SLURM accounting unavailable: finished states read from run directories', '§9.2'),
  parentQueued: def('LSSD5866', 'error', "a cell's `init from` parent is still on the cluster from an earlier submission", '§9.2'),
} as const;

/** Every lowering and runtime entry, for CATALOG. */
export const RUNTIME_MESSAGES: MessageDef[] = [LOWER, DATA, INGEST, SYNTH, TRAIN, DOCTOR, GRAPH, WASM, PROBE, RUN, EXEC, SCAFFOLD].flatMap((g) => Object.values(g));
