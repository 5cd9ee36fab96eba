import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

/**
 * The web console's policy (SPEC §11): everything from this origin, no inline script or style,
 * no framing, forms post only here. The console's own responses carry it whatever else the
 * app sets globally, because a console page is where a token secret is shown.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const CONSOLE_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  // Small files, no fingerprinted names: always revalidate (ETag), so a new build shows at once.
  'cache-control': 'no-cache',
};

/** The repository folder holding web/static (src/console in ts-node, dist/src/console built). */
function findRepositoryRoot(from: string): string | null {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'web', 'static', 'index.html'))) return folder;
    if (dirname(folder) === folder) return null;
  }
}

/**
 * Serves the console at `/`: the hand-written files of web/static and the modules `tsc` compiles
 * from web/src into dist/web. Plain Fastify routes, one per file found at start (no wildcard),
 * so every other path, under /api or not, still reaches the app's 404 problem+json.
 */
export async function registerWebConsole(app: NestFastifyApplication): Promise<void> {
  const root = findRepositoryRoot(__dirname);
  const logger = app.getHttpAdapter().getInstance().log;
  if (!root) {
    logger.warn('Web console files (web/static) not found; the console is not served');
    return;
  }
  const compiled = join(root, 'dist', 'web');
  if (!existsSync(join(compiled, 'main.js'))) {
    logger.warn('Web console not built (dist/web/main.js missing): run `npm run build`');
  }
  const roots = [join(root, 'web', 'static'), compiled].filter((folder) => existsSync(folder));
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onSend', async (_request, reply) => {
      void reply.headers(CONSOLE_HEADERS);
    });
    await scope.register(fastifyStatic, {
      root: roots,
      prefix: '/',
      wildcard: false,
      cacheControl: false,
      serveDotFiles: false,
      decorateReply: false,
    });
  });
}
