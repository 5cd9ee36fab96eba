import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { applyCompiledResponses } from './compiled-response';
import { EDGE_ERROR_CODES, sharedComponents } from './openapi-components';
import { completeOperations } from './openapi-operations';

const TAGS: [string, string][] = [
  ['auth', 'Sign in (password or SSO), sessions, re-authentication, api-token-auth'],
  ['me', 'Who is calling'],
  ['profile tokens', 'Your own API tokens'],
  ['organization tokens', 'Every token of the organization, for its superusers'],
  ['token leaks', 'Reporting exposed tokens'],
  ['team', 'Members and their permissions'],
  ['organizations', 'Organization settings'],
  ['audit', 'The audit log'],
  ['health', 'Liveness and readiness'],
];

const DESCRIPTION =
  'Personal API tokens for an organization product. Send a token as `Authorization: Bearer ' +
  '<token>`, `Authorization: Token <token>` or `X-Client-Id` + `X-Api-Token`; browsers use the ' +
  'session cookie with `X-CSRF-Token`. Every error is RFC 9457 `application/problem+json` with ' +
  'a stable `code`: each operation lists its codes under its error responses, and the `Problem` ' +
  'schema lists them all.';

/** `listProfileTokens` from ProfileTokensController.list; aliases (`live[1]`) are named later. */
const operationId = (controllerKey: string, methodKey: string) =>
  `${methodKey}${controllerKey.replace(/Controller$/, '')}`;

const pascal = (text: string) =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');

/** A route served under several paths: one readable id per path, from the method and path. */
function nameAliases(document: OpenAPIObject): void {
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      const candidate = operation as { operationId?: string };
      if (candidate?.operationId?.includes('[')) {
        candidate.operationId = `${method}${pascal(path.replace(/[{}]/g, ''))}`;
      }
    }
  }
}

/** `{ allOf: [{ $ref }] }` with nothing beside it (what swagger writes for a named enum) is the $ref. */
function collapseLoneAllOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(collapseLoneAllOf);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([key, value]) => [key, collapseLoneAllOf(value)]);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  const allOf = object.allOf;
  if (Object.keys(object).length === 1 && Array.isArray(allOf) && allOf.length === 1) {
    return allOf[0];
  }
  return object;
}

/** The OpenAPI 3 document, built from the controllers' metadata (no request, no database). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Keyhold')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addServer('/', 'This server');
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: operationId,
  });
  nameAliases(document);
  completeOperations(document);
  document.components = sharedComponents(document.components);
  const collapsed = collapseLoneAllOf(document) as OpenAPIObject;
  return { ...collapsed, 'x-edge-error-codes': [...EDGE_ERROR_CODES] } as OpenAPIObject;
}

/** OpenAPI 3 at /api/docs-json and a browsable page at /api/docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const document = buildOpenApiDocument(app);
  applyCompiledResponses(app, document);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
