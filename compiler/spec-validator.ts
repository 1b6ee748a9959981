// The ajv validator for spec.schema.json. Run from the sources it is compiled on first use (~100 ms:
// ajv generates and optimises a 190 kB function). The build (scripts/build-plugins.mjs) replaces this
// module with ajv's standalone code, generated from the same schema with the same options, so the
// compiled CLI compiles no schema at startup. test/build/precompiled.test.ts checks that the two agree.
import AjvModule from 'ajv';
import schema from './spec.schema.json' with { type: 'json' };

export type ValidateFn = ((data: unknown) => boolean) & {
  errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] | null;
};

/** ajv options for the spec schema; the build's standalone generation must use the same. */
export const AJV_OPTIONS = { allErrors: true, strict: false } as const;

const Ajv = (AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule;
let compiled: ValidateFn | undefined;

export const specValidator = (): ValidateFn =>
  (compiled ??= new (Ajv as any)(AJV_OPTIONS).compile(schema) as ValidateFn);
