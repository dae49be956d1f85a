import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const shared: Options = {
  // Unknown fields are errors, not silently dropped.
  removeAdditional: false,
  useDefaults: true,
  allErrors: true,
  strict: false,
};

function build(options: Options) {
  const ajv = new Ajv.default(options);
  addFormats.default(ajv);
  return ajv;
}

// Bodies are typed JSON: a number where a string is expected is an error.
// Query strings and paths are text, so their numbers are coerced.
const bodyAjv = build({ ...shared, coerceTypes: false });
const textAjv = build({ ...shared, coerceTypes: 'array' });

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema) as ReturnType<FastifySchemaCompiler<object>>;
};

/** Shared schemas ($id) must be known to both validators as well as to fastify. */
export function addSharedSchema(schema: { $id?: string }): void {
  if (!schema.$id) throw new Error('a shared schema needs an $id');
  for (const ajv of [bodyAjv, textAjv]) if (!ajv.getSchema(schema.$id)) ajv.addSchema(schema);
}
