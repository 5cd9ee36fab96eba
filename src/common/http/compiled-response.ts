import { FASTIFY_ROUTE_SCHEMA_METADATA } from '@nestjs/platform-fastify/constants';
import type { OpenAPIObject } from '@nestjs/swagger';

interface CompiledRoute {
  handler: object;
  dto: { name: string };
  status: number;
}

const routes: CompiledRoute[] = [];

/**
 * Serialise this handler's success body with Fastify's compiled serialiser (fast-json-stringify),
 * from the schema the OpenAPI document gives `dto`: a third of JSON.stringify's cost for /me.
 * Only what that schema names is sent, so it is used where the document is known to be complete
 * (the contract tests check the body against it).
 */
export function CompiledResponse(dto: { name: string }, status = 200): MethodDecorator {
  return (_target, _key, descriptor) => {
    routes.push({ handler: descriptor.value as object, dto, status });
  };
}

type Schema = Record<string, unknown>;

/** The schema with every `$ref` replaced by its target (fast-json-stringify gets no components). */
function inlined(document: OpenAPIObject, schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map((item) => inlined(document, item));
  if (schema === null || typeof schema !== 'object') return schema;
  const ref = (schema as Schema).$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    return inlined(document, document.components?.schemas?.[name]);
  }
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key]) => key !== 'example' && key !== 'description')
      .map(([key, value]) => [key, inlined(document, value)]),
  );
}

/** Attaches the response schemas before Nest registers the routes (it copies this metadata). */
export function applyCompiledResponses(document: OpenAPIObject): void {
  for (const { handler, dto, status } of routes) {
    const schema = inlined(document, { $ref: `#/components/schemas/${dto.name}` });
    if (!schema) throw new Error(`OpenAPI has no schema ${dto.name} for a compiled response`);
    Reflect.defineMetadata(
      FASTIFY_ROUTE_SCHEMA_METADATA,
      { response: { [status]: schema } },
      handler,
    );
  }
}
