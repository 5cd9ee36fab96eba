import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AUTH_RULE, AuthRule } from '../src/common/access/auth-rule.decorator';
import { bearer, useTestContext } from './support/context';

const UNSAFE: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};
const SOME_ID = '00000000-0000-4000-8000-000000000000';

/** Every unsafe route the application serves, read from the controllers' own metadata. */
function unsafeRoutes(
  app: NestFastifyApplication,
): { method: string; url: string; rule: AuthRule }[] {
  const scanner = new MetadataScanner();
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) => [
    ...module.controllers.values(),
  ]);
  return controllers.flatMap((wrapper) => {
    const metatype = wrapper.metatype as object | undefined;
    const instance = wrapper.instance as object | undefined;
    if (!metatype || !instance) return [];
    const base = String(Reflect.getMetadata('path', metatype) ?? '');
    const prototype = Object.getPrototypeOf(instance) as Record<string, object>;
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const path = Reflect.getMetadata('path', handler) as string | string[] | undefined;
      const method = UNSAFE[Reflect.getMetadata('method', handler) as RequestMethod];
      if (path === undefined || !method) return [];
      const paths = Array.isArray(path) ? path : [path];
      const rule = (Reflect.getMetadata(AUTH_RULE, handler) ??
        Reflect.getMetadata(AUTH_RULE, metatype)) as AuthRule;
      return paths.map((p) => ({
        method,
        rule,
        url: `/${base}/${p}`
          .replace(/\/+/g, '/')
          .replace(/\/$/, '')
          .replace(/:[A-Za-z]+/g, SOME_ID),
      }));
    });
  });
}

describe('read-only tokens on every unsafe route (SPEC §2a)', () => {
  const t = useTestContext({ TOKEN_CREATE_LIMIT_PER_MINUTE: '100' });
  let readOnly: string;
  let readWrite: string;
  beforeAll(async () => {
    readOnly = (await t.newToken(t.admin, { name: 'reader', access: 'read_only' })).secret;
    readWrite = (await t.newToken(t.admin, { name: 'writer', expiresInDays: 30 })).secret;
  });

  it('refuses a read-only token with 403 insufficient_scope and the RFC 6750 challenge, before any other rule', async () => {
    const routes = unsafeRoutes(t.app);
    // Public routes that take no credential (a leak report) serve anyone: a token there is not
    // used at all. Every route that identifies its caller, session-only ones included, refuses.
    const identified = routes.filter((route) => !route.rule.public || route.rule.sessionOnly);
    expect(identified.length).toBeGreaterThanOrEqual(10);
    for (const route of identified) {
      for (const scheme of ['Bearer', 'Token']) {
        const response = await t.client().request(route.method, route.url, {
          body: {},
          headers: { authorization: `${scheme} ${readOnly}` },
        });
        expect([route.method, route.url, response.status, response.body?.code]).toEqual([
          route.method,
          route.url,
          403,
          'insufficient_scope',
        ]);
        expect(response.headers.get('www-authenticate')).toBe(
          'Bearer realm="keyhold", error="insufficient_scope"',
        );
      }
    }
    // The same routes with a read-write token: whatever they answer, it is not this refusal.
    for (const route of identified) {
      const response = await t.client().request(route.method, route.url, {
        body: {},
        headers: bearer(readWrite),
      });
      expect([route.url, response.body?.code]).not.toEqual([route.url, 'insufficient_scope']);
    }
  });

  it('lets a read-only token read', async () => {
    const me = await t.client().get('/api/v1/me', bearer(readOnly));
    expect(me.status).toBe(200);
    const head = await fetch(`${t.baseUrl}/api/v1/me`, {
      method: 'HEAD',
      headers: bearer(readOnly),
    });
    expect(head.status).toBe(200);
  });
});
