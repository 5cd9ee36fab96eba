import type { AsyncLocalStorage } from 'node:async_hooks';
import { EntityManager, MikroORM, RequestContext } from '@mikro-orm/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A request's EntityManager fork, made on first use: a request served from memory (health, a
 * cached token) then costs no fork (4-7 µs each, per the hot-path profile).
 */
class LazyForks extends Map<string, EntityManager> {
  private forking = false;

  constructor(private readonly root: EntityManager) {
    super();
  }

  override get(name: string): EntityManager | undefined {
    let fork = super.get(name);
    // fork() itself asks the context for the current EntityManager: the root, while forking.
    if (!fork && name === this.root.name && !this.forking) {
      this.forking = true;
      try {
        fork = this.root.fork({ useContext: true });
      } finally {
        this.forking = false;
      }
      super.set(name, fork);
    }
    return fork;
  }
}

// RequestContext.create() forks at once; its storage is what create() runs in (MikroORM 6.6.15,
// pinned), so a lazy context enters the same storage.
const contextStorage = (RequestContext as unknown as { storage: AsyncLocalStorage<RequestContext> })
  .storage;

/**
 * MikroORM's request context for every request, from Fastify's first hook rather than a Nest
 * middleware: it covers every request target (an absolute-form URL matched no middleware path,
 * so its handler ran on the global EntityManager) and skips middie's per-request matching.
 */
export function registerRequestContext(app: NestFastifyApplication): void {
  const root = app.get(MikroORM).em;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      contextStorage.run(new RequestContext(new LazyForks(root)), done);
    });
}
