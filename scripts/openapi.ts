import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocumentText, previewOpenApiDocument } from '../src/openapi-preview';

/** `npm run openapi`: writes the committed openapi.json (no database or server needed). */
async function main(): Promise<void> {
  const target = join(__dirname, '..', 'openapi.json');
  writeFileSync(target, openApiDocumentText(await previewOpenApiDocument()));
  console.log(`wrote ${target}`);
}

void main();
