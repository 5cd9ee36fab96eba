import { Controller, Get, Module } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { AUTH_RULE } from '../src/common/access/auth-rule.decorator';
import { AuthGuard } from '../src/auth/auth.guard';
import { AuthService } from '../src/auth/auth.service';
import { ProblemFilter } from '../src/common/errors/problem.filter';
import { TokenAuthenticator } from '../src/tokens/token-authenticator.service';
import { startTestApp, TestApp } from './support/test-app';

/** Every route handler in the app with its auth rule (undefined: none declared). */
function routeRules(app: NestFastifyApplication): { route: string; rule: unknown }[] {
  const scanner = new MetadataScanner();
  const controllers = [...app.get(ModulesContainer).values()].flatMap((module) => [
    ...module.controllers.values(),
  ]);
  return controllers.flatMap((wrapper) => {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || !wrapper.metatype) return [];
    const prototype = Object.getPrototypeOf(instance) as object;
    return scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = (prototype as Record<string, unknown>)[name] as object;
      if (Reflect.getMetadata('path', handler) === undefined) return [];
      const rule: unknown =
        Reflect.getMetadata(AUTH_RULE, handler) ??
        Reflect.getMetadata(AUTH_RULE, wrapper.metatype as object);
      return [{ route: `${wrapper.name}.${name}`, rule }];
    });
  });
}

describe('default deny: every route declares who may call it', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('finds an explicit @Public or @Authenticated rule on every route handler', () => {
    const rules = routeRules(t.app);
    expect(rules.length).toBeGreaterThan(15);
    expect(rules.filter((r) => r.rule === undefined).map((r) => r.route)).toEqual([]);
  });

  it('keeps credential management off limits to tokens', () => {
    const rules = new Map(
      routeRules(t.app).map((r) => [r.route, r.rule as { sessionOnly?: boolean }]),
    );
    for (const route of [
      'ProfileTokensController.list',
      'ProfileTokensController.create',
      'ProfileTokensController.revoke',
      'ApiTokenAuthController.obtain',
      'MembersController.update',
      'MembersController.add',
      'OrganizationTokensController.revoke',
      'AuthController.login',
      'AuthController.logout',
      'AuthController.reauthenticate',
    ]) {
      expect([route, rules.get(route)?.sessionOnly]).toEqual([route, true]);
    }
  });
});

@Controller('forgotten')
class ForgottenController {
  @Get()
  open() {
    return { leaked: true };
  }
}

@Module({
  controllers: [ForgottenController],
  providers: [
    { provide: AuthService, useValue: {} },
    { provide: TokenAuthenticator, useValue: {} },
    { provide: 'APP_GUARD', useClass: AuthGuard },
    { provide: 'APP_FILTER', useClass: ProblemFilter },
  ],
})
class ForgottenModule {}

describe('a route without a rule', () => {
  it('is refused by the guard with 403 route_without_auth_rule', async () => {
    const app = await NestFactory.create<NestFastifyApplication>(
      ForgottenModule,
      new FastifyAdapter(),
      { logger: false },
    );
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const response = await app.inject({ method: 'GET', url: '/forgotten' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'route_without_auth_rule' });
    expect(response.body).not.toContain('leaked');
    await app.close();
  });
});
