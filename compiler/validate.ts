// Schema validation (docs/language.md §5): every resolved spec is checked with ajv against
// compiler/spec.schema.json before it leaves the compiler. Errors are mapped from the JSON path
// (`/data/batch/per_device`) back to the source span of the field that produced it; raw ajv output
// is never shown. With the field table's own checks in front, a violation here means the table and
// the schema disagree — still reported as a diagnostic, never a crash.
import type { Span } from '../grammar/ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import { M, diag } from './messages.ts';
import { EXPERIMENT_FIELDS } from './schema/index.ts';
import type { ResolvedExperiment } from './resolve.ts';
import { SHARED_SECTIONS } from './spec.ts';
import { specValidators } from './spec-validator.ts';

/** Resolved-spec path (dotted, no indices) → surface path, from the field table plus derived fields. */
const RESOLVED_TO_SURFACE: [string, string][] = [
  ...EXPERIMENT_FIELDS.filter((d) => d.to !== null).map((d) => [d.to ?? d.path, d.path] as [string, string]),
  ...([['data.shots.min_length', 'data.shots.length'], ['data.shots.max_length', 'data.shots.length'],
    ['data.batch.same_title_per_device', 'data.batch.same_title'],
    ['views.video.scale', 'views.video.scale'],
    ['dubs.policy', 'dubs.policy'], ['dubs.languages', 'dubs.policy']] as [string, string][]),
].sort((a, b) => b[0].length - a[0].length);

export function surfacePathOf(instancePath: string): { surface?: string; index?: number } {
  const parts = instancePath.split('/').filter(Boolean);
  const index = parts.findIndex((p) => /^\d+$/.test(p));
  const dotted = parts.filter((p) => !/^\d+$/.test(p)).join('.');
  for (const [resolved, surface] of RESOLVED_TO_SURFACE) {
    if (dotted === resolved || dotted.startsWith(resolved + '.')) {
      return { surface, index: index >= 0 ? Number(parts[index]) : undefined };
    }
  }
  return {};
}

/**
 * Probes known to be valid. A probe is a task's resolution, shared by every spec that probes it
 * (resolve.ts keeps clean ones per process and never mutates them), so it is validated once.
 */
const VALID_PROBES = new WeakSet<object>();
/** Sections shared between specs (frozen, resolve.ts SHARED_SECTIONS) known to be valid: a grid's cells share all their axes leave alone. */
const VALID_SECTIONS = new WeakSet<object>();

/**
 * Is the spec valid? Field by field (the root schema is a closed object with every field required,
 * so this is exactly the whole schema's verdict), each probe and each shared section once: most of a
 * spec's bytes are its probes, shared by every experiment of a grid or a sweep.
 */
function isValid(spec: Record<string, unknown>): boolean {
  const { sections, probe, keys } = specValidators();
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return false;
  let n = 0;
  for (const k in spec) { if (!Object.hasOwn(sections, k)) return false; n++; }
  if (n !== keys.length) return false;
  for (const k of keys) {
    const x = spec[k];
    if (x === undefined) return false;
    if (k === 'probes' && Array.isArray(x)) {
      for (const p of x) {
        if (p !== null && typeof p === 'object' && VALID_PROBES.has(p)) continue;
        if (!probe(p)) return false;
        if (p !== null && typeof p === 'object') VALID_PROBES.add(p);
      }
    } else if (x !== null && typeof x === 'object' && VALID_SECTIONS.has(x)) continue;
    else if (!sections[k](x)) return false;
    else if (x !== null && typeof x === 'object' && SHARED_SECTIONS.has(x)) VALID_SECTIONS.add(x);
  }
  return true;
}

export function validateSpec(r: ResolvedExperiment): Diagnostic[] {
  if (isValid(r.spec as unknown as Record<string, unknown>)) return [];
  // Invalid: the whole-spec validator reports every error, in its order.
  const v = specValidators().spec;
  if (v(r.spec)) return [];
  const out: Diagnostic[] = [];
  for (const e of v.errors ?? []) {
    const { surface, index } = surfacePathOf(e.instancePath);
    const a = surface ? r.fields.get(surface) : undefined;
    let span: Span = a?.value.span ?? r.decl.name.span;
    if (a && index !== undefined && a.value.kind === 'List' && a.value.items[index]) span = a.value.items[index].span;
    const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(root)';
    out.push(diag(M.schemaViolation, span, `resolved spec of '${r.spec.name}': \`${where}\` ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`,
      { hint: surface ? `set by \`${surface}\`${a ? '' : ' (its default)'}` : undefined }));
  }
  return out;
}
