// The ajv validators for spec.schema.json. Run from the sources they are compiled on first use (~100 ms:
// ajv generates and optimises some 190 kB of code). The build (scripts/build-plugins.mjs) replaces this
// module with ajv's standalone code, generated from the same schemas with the same options, so the
// compiled CLI compiles no schema at startup. test/build/precompiled.test.ts checks that the two agree.
//
// The schema is split (splitSpecSchema) into one schema per top-level field and one per probe, which
// the whole-spec schema references: the root is a closed object whose every property is required, so
// a spec is valid exactly when each of its fields is, and validate.ts can check the fields one by one
// and a probe shared by many specs (resolve.ts shares clean task resolutions) once.
import AjvModule from 'ajv';
import schema from './spec.schema.json' with { type: 'json' };

export type ValidateFn = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};

/** ajv options for the spec schemas; the build's standalone generation must use the same. `inlineRefs: false`: each part stays its own function. */
export const AJV_OPTIONS = { allErrors: true, strict: false, inlineRefs: false } as const;

type Schema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>> };
export const PROBE_ID = 'lssd:spec/probe';
export const sectionId = (key: string) => `lssd:spec/${key}`;

/**
 * The whole-spec schema with each top-level property (and `probes.items`) replaced by a `$ref` to a
 * schema of its own, and those schemas. Must equal scripts/build-plugins.mjs's copy (the test checks).
 */
export function splitSpecSchema(whole: Schema): { root: Schema; parts: Schema[] } {
  const props = whole.properties ?? {};
  const parts: Schema[] = [];
  const root: Schema = { ...whole, properties: {} };
  for (const [key, sub] of Object.entries(props)) {
    let part: Schema = { ...sub };
    if (key === 'probes' && sub.items) {
      parts.push({ $id: PROBE_ID, ...(sub.items as Schema) });
      part = { ...sub, items: { $ref: PROBE_ID } };
    }
    parts.push({ $id: sectionId(key), ...part });
    root.properties![key] = { $ref: sectionId(key) };
  }
  return { root, parts };
}

export interface SpecValidators {
  /** The whole spec: its errors are the ones reported. */
  spec: ValidateFn;
  /** One per top-level field of the spec, by key. */
  sections: Record<string, ValidateFn>;
  /** One item of `probes`. */
  probe: ValidateFn;
  /** The top-level keys, all required. */
  keys: string[];
}

const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
let compiled: SpecValidators | undefined;

export const specValidators = (): SpecValidators => {
  if (compiled) return compiled;
  const { root, parts } = splitSpecSchema(schema as Schema);
  const ajv = new (Ajv as any)(AJV_OPTIONS);
  for (const p of parts) ajv.addSchema(p);
  const keys = Object.keys((schema as Schema).properties ?? {});
  compiled = {
    spec: ajv.compile(root) as ValidateFn,
    sections: Object.fromEntries(keys.map((k) => [k, ajv.getSchema(sectionId(k)) as ValidateFn])),
    probe: ajv.getSchema(PROBE_ID) as ValidateFn,
    keys,
  };
  return compiled;
};

export const specValidator = (): ValidateFn => specValidators().spec;
