import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { loadConfig } from './config/app-config';
import { buildOpenApiDocument } from './common/http/openapi';

/**
 * The document from the app's module graph in Nest's preview mode: providers are not created,
 * so nothing connects to a database. The served /api/docs-json must equal it (a test checks).
 */
export async function previewOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(loadConfig({ NODE_ENV: 'test' }), 'postgres://preview.invalid/none'),
    new FastifyAdapter(),
    { preview: true, logger: false, abortOnError: false },
  );
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** The committed file's exact text. */
export const openApiDocumentText = (document: OpenAPIObject) =>
  `${JSON.stringify(document, null, 2)}\n`;
