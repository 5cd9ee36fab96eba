import { randomUUID } from 'node:crypto';
import { generateToken } from '../../src/tokens/token-format';

/** One generated request: sent through fetch (or a raw socket when `raw` is set). */
export interface BatteryCase {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** An unsafe request that must be refused (4xx), so it can change nothing. */
  mustRefuse: boolean;
}

interface Schema {
  type?: string;
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  nullable?: boolean;
  example?: unknown;
  items?: Schema;
  $ref?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
}

interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** The credentials a case is sent with, and real values for path parameters. */
export interface BatteryContext {
  auth: Record<'anonymous' | 'session' | 'token', Record<string, string>>;
  pathValues: Record<string, string>;
  /** A live token planted in every client-controlled place; it must show up nowhere. */
  planted: string;
}

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);
const unknownToken = () => generateToken('khp_');

// Text a validator must refuse whatever the field (SPEC §5, §5a).
const hostileStrings = (planted: string) => [
  'a\u0000b',
  'bell\u0007',
  'right\u202eleft',
  'line\u2028break',
  '\ud800@acme.test',
  'x\udc00',
  planted,
  `prefix ${planted} suffix`,
];

// Values of a wrong JSON type for each declared type.
const WRONG_TYPES: Record<string, unknown[]> = {
  string: [12345, -1, 1.5, true, false, [], ['a'], {}, { a: 1 }],
  number: ['7', 'seven', true, [], [7], {}, 1e308, -1, 0.5, 3],
  integer: ['7', true, [], {}, 1.5],
  boolean: ['true', 1, 0, [], {}, 'yes'],
  array: ['a', 1, true, {}, { 0: 'a' }],
  object: ['a', 1, true, [], [{}]],
};

function resolve(schema: Schema, document: OpenApiDocument): Schema {
  if (schema.$ref)
    return resolve(document.components.schemas[schema.$ref.split('/').pop()!], document);
  if (schema.allOf?.length === 1) return resolve(schema.allOf[0], document);
  return schema;
}

/** Values that must be refused for one body field of this schema. */
function badFieldValues(schema: Schema, planted: string): unknown[] {
  const type = schema.type ?? (schema.enum ? typeof schema.enum[0] : 'object');
  const values = [...(WRONG_TYPES[type] ?? WRONG_TYPES.object)];
  if (type === 'string') {
    // A password may be anything printable, even token-shaped: it is only ever hashed.
    const text = hostileStrings(planted);
    values.push(
      ...(schema.format === 'password' ? text.filter((v) => !v.includes(planted)) : text),
    );
    values.push('x'.repeat((schema.maxLength ?? 10_000) + 1));
    if ((schema.minLength ?? 0) > 0) values.push('');
    if (schema.enum) values.push('not-one-of-them');
  }
  if (type === 'array') {
    values.push([1, 2], [{}], [[]], [null]);
    values.push(Array.from({ length: (schema.maxItems ?? 1000) + 1 }, () => unknownToken()));
  }
  if (type === 'number' && schema.enum) values.push(8, 0, 366, 100000);
  if (!schema.nullable && type !== 'object') values.push(null);
  // A numeric or boolean field that happens to take the value is not a refusal.
  return values.filter((value) => !(schema.enum ?? []).includes(value));
}

/** A value the validator accepts, to hold the other fields of a body constant. */
function fillerValue(name: string, schema: Schema): unknown {
  if (name === 'issuer') return 'http://127.0.0.1:1/'; // refused by the outbound policy, offline
  if (schema.example !== undefined) return schema.example;
  if (schema.enum) return schema.enum[0];
  if (schema.format === 'email') return 'filler@example.test';
  if (schema.type === 'boolean') return false;
  if (schema.type === 'number' || schema.type === 'integer') return 1;
  if (schema.type === 'array') return [];
  return 'filler-value-123456';
}

const HEADER_VARIANTS = (planted: string): Record<string, string>[] => [
  { authorization: 'Bearer' },
  { authorization: 'Bearer ' },
  { authorization: 'Bearer khp_short' },
  { authorization: `Bearer ${unknownToken()}` },
  { authorization: `Bearer ${planted.slice(0, -1)}x` },
  { authorization: `Token ${unknownToken()}` },
  { authorization: 'Token' },
  { authorization: 'Basic YWRtaW46YWRtaW4=' },
  { authorization: `Bearer ${'x'.repeat(8000)}` },
  { authorization: `Bearer a b c` },
  { 'x-client-id': 'not-a-uuid', 'x-api-token': unknownToken() },
  { 'x-client-id': randomUUID(), 'x-api-token': planted },
  { 'x-api-token': unknownToken() },
  { 'x-organization-id': 'not-a-uuid' },
  { 'x-organization-id': randomUUID() },
  { 'x-workspace-id': '%00' },
  { 'x-request-id': planted },
  { 'x-request-id': `id-${planted}` },
  { 'x-request-id': 'r'.repeat(300) },
  { 'x-request-id': '<script>alert(1)</script>' },
  { 'x-forwarded-for': 'not-an-ip' },
  { 'x-forwarded-for': '<script>' },
  { 'x-forwarded-for': '1'.repeat(100) },
  { 'x-forwarded-for': planted },
  { 'x-forwarded-for': '999.999.999.999, 1.2.3.4' },
  { 'x-forwarded-for': '::1' },
  { 'user-agent': `curl/8 ${planted}` },
  { 'user-agent': 'u'.repeat(5000) },
  { referer: `https://example.test/?t=${planted}` },
  { origin: 'https://evil.example' },
  { cookie: 'keyhold_session=%ZZ' },
  { cookie: `keyhold_session=${'a'.repeat(4000)}` },
  { cookie: `keyhold_session=${planted}; csrf_token=${planted}` },
  { cookie: ';;;==;' },
  { 'x-csrf-token': planted },
  { accept: 'text/html' },
  { accept: '*/*;q=abc' },
  { 'content-type': 'application/json' },
  { 'accept-language': 'x'.repeat(2000) },
];

const QUERY_VALUES = (planted: string): string[] => [
  'abc',
  '0',
  '-5',
  '101',
  '1.5',
  '1e400',
  '',
  'x'.repeat(2000),
  '%00',
  '%1B%5B31m',
  '%E2%80%AE',
  '%ED%A0%80',
  '%ZZ',
  encodeURIComponent(planted),
  '+010000-01-01T00:00:00.000Z',
  '0000-01-01',
  '2026-02-31',
  Buffer.from(JSON.stringify(['+010000-01-01T00:00:00.000Z', randomUUID()])).toString('base64url'),
  Buffer.from(JSON.stringify(['-000100-01-01T00:00:00.000Z', randomUUID()])).toString('base64url'),
  Buffer.from(JSON.stringify(['0000-01-01T00:00:00.000Z', randomUUID()])).toString('base64url'),
  Buffer.from(JSON.stringify([1e308, 'x'])).toString('base64url'),
  Buffer.from(JSON.stringify(['a'.repeat(300), randomUUID()])).toString('base64url'),
  Buffer.from('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]').toString(
    'base64url',
  ),
  '--createdAt',
  "name'; drop table api_token; --",
];

const PATH_VALUES = (planted: string): string[] => [
  'not-a-uuid',
  '%ZZ',
  '%00',
  '..%2F..%2Fetc',
  'x'.repeat(3000),
  '%E2%80%AE',
  encodeURIComponent(planted),
  '00000000-0000-0000-0000-000000000000',
  randomUUID().toUpperCase(),
  `${randomUUID()}%20`,
];

// Whole bodies that are not a JSON object of the DTO.
const RAW_BODIES = (planted: string): { type?: string; body: string }[] => [
  { type: 'application/json', body: '{' },
  { type: 'application/json', body: '' },
  { type: 'application/json', body: 'null' },
  { type: 'application/json', body: '[]' },
  { type: 'application/json', body: '"text"' },
  { type: 'application/json', body: '12' },
  { type: 'application/json', body: `${'['.repeat(5000)}${']'.repeat(5000)}` },
  { type: 'application/json', body: `${'{"a":'.repeat(500)}1${'}'.repeat(500)}` },
  { type: 'application/json', body: '{"__proto__":{"isSuperuser":true}}' },
  { type: 'application/json', body: '{"constructor":{"prototype":{"x":1}}}' },
  { type: 'application/json', body: `{"${planted}":1}` },
  { type: 'application/json', body: `{"a":"${'x'.repeat(70 * 1024)}"}` },
  { type: 'application/json', body: '\ufeff{"unknownField":1}' },
  { type: 'application/json; charset=utf-16', body: '{"unknownField":1}' },
  { type: 'text/plain', body: '{}' },
  { type: 'application/xml', body: '<a/>' },
  { type: 'application/x-www-form-urlencoded', body: `a=1&token=${planted}` },
  { type: 'multipart/form-data; boundary=x', body: '--x\r\n\r\n--x--' },
  { type: 'application/json', body: '{"a":1,"a":2}' },
  { body: '{}' },
];

const EXTRA_FIELDS = [
  'toString',
  'valueOf',
  'hasOwnProperty',
  'constructor',
  'prototype',
  'isPrototypeOf',
  '__defineGetter__',
  'unknownField',
  'isAdmin',
];

function withPath(template: string, values: Record<string, string>, override?: [string, string]) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    override && override[0] === name ? override[1] : (values[name] ?? randomUUID()),
  );
}

/** Every operation × credential form × hostile variant of its parameters, body and headers. */
export function generateCases(document: OpenApiDocument, context: BatteryContext): BatteryCase[] {
  const cases: BatteryCase[] = [];
  const { planted } = context;
  for (const [template, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const unsafe = UNSAFE.has(method);
      const parameters = operation.parameters ?? [];
      const bodySchema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
      const schema = bodySchema ? resolve(bodySchema, document) : undefined;
      const properties = Object.entries(schema?.properties ?? {}).map(
        ([name, property]) => [name, resolve(property, document)] as const,
      );
      const validBody = Object.fromEntries(
        properties.map(([name, property]) => [name, fillerValue(name, property)]),
      );
      for (const [authName, auth] of Object.entries(context.auth)) {
        const add = (label: string, path: string, extra: Partial<BatteryCase> = {}) =>
          cases.push({
            label: `${method.toUpperCase()} ${template} [${authName}] ${label}`,
            method: method.toUpperCase(),
            path,
            headers: { ...auth, ...extra.headers },
            body: extra.body,
            // A body-less unsafe request with real ids could legitimately succeed (logout).
            mustRefuse: unsafe && (extra.mustRefuse ?? true),
          });
        const json = (body: unknown) => ({
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
        const basePath = withPath(template, context.pathValues);
        for (const parameter of parameters.filter((p) => p.in === 'path')) {
          for (const value of PATH_VALUES(planted)) {
            const path = withPath(template, context.pathValues, [parameter.name, value]);
            add(
              `path ${parameter.name}=${value.slice(0, 40)}`,
              path,
              schema ? json(validBody) : {},
            );
          }
        }
        for (const parameter of parameters.filter((p) => p.in === 'query')) {
          for (const value of QUERY_VALUES(planted)) {
            const path = `${basePath}?${parameter.name}=${value}`;
            add(`query ${parameter.name}=${value.slice(0, 40)}`, path, schema ? json({}) : {});
          }
          add(
            `query ${parameter.name} repeated`,
            `${basePath}?${parameter.name}=1&${parameter.name}=2`,
          );
        }
        // Routes without a query DTO ignore the query (a logout with `?x=1` is still a logout).
        const takesQuery = parameters.some((p) => p.in === 'query');
        for (const name of takesQuery ? [...EXTRA_FIELDS, '__proto__'] : []) {
          add(`query unknown ${name}`, `${basePath}?${name}=1`, schema ? json({}) : {});
        }
        if (schema) {
          for (const [name, property] of properties) {
            for (const value of badFieldValues(property, planted)) {
              add(
                `body ${name}=${JSON.stringify(value)?.slice(0, 40)}`,
                basePath,
                json({ ...validBody, [name]: value }),
              );
            }
          }
          for (const name of schema.required ?? []) {
            const rest = Object.fromEntries(
              Object.entries(validBody).filter(([key]) => key !== name),
            );
            add(`body without ${name}`, basePath, json(rest));
          }
          for (const name of EXTRA_FIELDS) {
            add(`body extra ${name}`, basePath, json({ ...validBody, [name]: 1 }));
          }
          // Deep nesting inside a declared field, where validators and transformers recurse.
          for (const [name] of properties.slice(0, 2)) {
            for (const deep of [
              `${'['.repeat(5000)}${']'.repeat(5000)}`,
              `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
            ]) {
              add(`body ${name} nested 5000 deep`, basePath, {
                body: `{"${name}":${deep}}`,
                headers: { 'content-type': 'application/json' },
              });
            }
          }
          for (const { type, body } of RAW_BODIES(planted)) {
            add(`raw body ${type} ${body.slice(0, 30)}`, basePath, {
              body,
              headers: type ? { 'content-type': type } : {},
            });
          }
        }
        if (!unsafe || authName === 'anonymous') {
          for (const headers of HEADER_VARIANTS(planted)) {
            add(`headers ${JSON.stringify(headers).slice(0, 60)}`, basePath, {
              headers,
              ...(schema
                ? {
                    body: '{"unknownField":1}',
                    headers: { ...headers, 'content-type': 'application/json' },
                  }
                : {}),
              mustRefuse: Boolean(schema) || authName === 'anonymous',
            });
          }
        }
      }
    }
  }
  return cases;
}
