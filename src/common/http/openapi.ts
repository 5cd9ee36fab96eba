import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { errorCatalogue } from '../errors/keyhold.exception';

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', example: 'urn:keyhold:problem:validation_failed' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: [] as string[] },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** OpenAPI 3 at /api/docs-json and a browsable page at /api/docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const codes = [...errorCatalogue.entries()].sort(([a], [b]) => a.localeCompare(b));
  const config = new DocumentBuilder()
    .setTitle('Keyhold')
    .setDescription(
      'Personal API tokens for an organization product. Every error is RFC 9457 ' +
        '`application/problem+json` with a stable `code`:\n\n' +
        codes.map(([code, { status, title }]) => `- \`${code}\` (${status}): ${title}`).join('\n'),
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <token>' },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'Authorization: Token <token>',
      },
      'token',
    )
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-Api-Token', description: 'With X-Client-Id' },
      'apiToken',
    )
    .addCookieAuth(
      'keyhold_session',
      { type: 'apiKey', in: 'cookie', name: 'keyhold_session' },
      'session',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config);
  problemSchema.properties.code.enum = codes.map(([code]) => code);
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, Problem: problemSchema },
  };
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
