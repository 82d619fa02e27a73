/**
 * A small JSON Schema validator for the route schemas (the subset they use: type,
 * properties, required, additionalProperties, enum, pattern, min/maxLength,
 * minimum/maximum, items, min/maxItems, format date-time). It reports every bad field
 * at once as a ValidationError (→ 400 with `issues`), unlike a first-error validator.
 */
import { ValidationError } from '@cairn/core';
import type { FieldIssue } from '@cairn/core';

export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly format?: 'date-time';
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function checkSchema(
  schema: JsonSchema,
  value: unknown,
  path: string,
  out: FieldIssue[],
): void {
  const t = typeOf(value);
  if (
    schema.type !== undefined &&
    t !== schema.type &&
    !(schema.type === 'number' && t === 'integer')
  ) {
    out.push({
      path,
      problem: `must be ${schema.type === 'integer' ? 'an integer' : `of type ${schema.type}`}`,
    });
    return;
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) {
    out.push({
      path,
      problem: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength)
      out.push({ path, problem: `must be at least ${schema.minLength} characters` });
    if (schema.maxLength !== undefined && value.length > schema.maxLength)
      out.push({ path, problem: `must be at most ${schema.maxLength} characters` });
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value))
      out.push({ path, problem: `must match ${schema.pattern}` });
    if (
      schema.format === 'date-time' &&
      (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(Date.parse(value)))
    )
      out.push({ path, problem: 'must be an ISO 8601 date-time' });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum)
      out.push({ path, problem: `must be ≥ ${schema.minimum}` });
    if (schema.maximum !== undefined && value > schema.maximum)
      out.push({ path, problem: `must be ≤ ${schema.maximum}` });
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      out.push({ path, problem: `must have at least ${schema.minItems} items` });
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      out.push({ path, problem: `must have at most ${schema.maxItems} items` });
    else if (schema.items !== undefined) {
      const items = schema.items;
      value.forEach((v, i) => {
        checkSchema(items, v, join(path, String(i)), out);
      });
    }
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    for (const k of schema.required ?? []) {
      if (obj[k] === undefined) out.push({ path: join(path, k), problem: 'is required' });
    }
    const props = schema.properties ?? {};
    for (const [k, v] of Object.entries(obj)) {
      const p = props[k];
      if (p !== undefined) checkSchema(p, v, join(path, k), out);
      else if (schema.additionalProperties === false)
        out.push({ path: join(path, k.slice(0, 64)), problem: 'is not allowed here' });
      else if (typeof schema.additionalProperties === 'object')
        checkSchema(schema.additionalProperties, v, join(path, k.slice(0, 64)), out);
    }
  }
}

/** A Fastify validatorCompiler: every route part (body, querystring, params) checked whole. */
export function compileValidator(o: { schema: unknown; httpPart?: string }) {
  const schema = o.schema as JsonSchema;
  const part = o.httpPart ?? 'body';
  return (data: unknown): { value: unknown } | { error: Error } => {
    const issues: FieldIssue[] = [];
    checkSchema(schema, part === 'body' ? (data ?? null) : data, part, issues);
    return issues.length === 0
      ? { value: data }
      : { error: new ValidationError(`request ${part}`, issues) };
  };
}
