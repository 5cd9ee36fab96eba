import { applyDecorators, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FASTIFY_ROUTE_SCHEMA_METADATA } from '@nestjs/platform-fastify/constants';
import { ApiOkResponse, type OpenAPIObject } from '@nestjs/swagger';
import fastJson, { type Schema as JsonSchema } from 'fast-json-stringify';
import { CommonErrorCode, CommonException } from '../errors/common-errors';

interface CompiledRoute {
  handler: object;
  dto: Type;
}

const routes: CompiledRoute[] = [];

/**
 * The handler's 200 body: documented as `dto` (`@ApiOkResponse`) and serialised with Fastify's
 * compiled serialiser (fast-json-stringify) from the schema the OpenAPI document gives `dto`.
 * Only what that schema names is sent, so it is used where the document is known to be complete
 * (the contract tests check the body against it). A frozen body (the cached /me answer, the
 * liveness constant) is serialised once and its text reused.
 */
export function CompiledResponse(dto: Type): MethodDecorator {
  return applyDecorators(ApiOkResponse({ type: dto }), (_target, _key, descriptor) => {
    routes.push({ handler: descriptor.value as object, dto });
  });
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

/** fast-json-stringify, remembering the text of frozen bodies (immutable, so it cannot change). */
function memoisingSerializer({ schema }: { schema: unknown }): (data: unknown) => string {
  const serialise = fastJson(schema as JsonSchema);
  const texts = new WeakMap<object, string>();
  return (data) => {
    if (data === null || typeof data !== 'object' || !Object.isFrozen(data)) return serialise(data);
    let text = texts.get(data);
    if (text === undefined) texts.set(data, (text = serialise(data)));
    return text;
  };
}

/** Attaches the response schemas before Nest registers the routes (it copies this metadata). */
export function applyCompiledResponses(app: NestFastifyApplication, document: OpenAPIObject): void {
  app.getHttpAdapter().getInstance().setSerializerCompiler(memoisingSerializer);
  for (const { handler, dto } of routes) {
    const schema = inlined(document, { $ref: `#/components/schemas/${dto.name}` });
    // @ApiOkResponse above puts the schema in the document; without it the start fails here.
    if (!schema) {
      throw new CommonException(
        CommonErrorCode.InternalError,
        `OpenAPI has no schema ${dto.name} for a compiled response`,
      );
    }
    Reflect.defineMetadata(FASTIFY_ROUTE_SCHEMA_METADATA, { response: { 200: schema } }, handler);
  }
}
