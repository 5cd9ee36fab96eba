/**
 * The medium (service-level) test context: the real application, built by the same machinery
 * as the end-to-end tests, on its own cloned PostgreSQL database, initialised (workers and
 * listeners run) but serving no HTTP. Tests call its services directly, each call in a request
 * context of its own, as a request would:
 *
 *   const s = useServiceContext({ TOKEN_MAX_PER_USER: '3' });
 *   await s.inContext(() => s.get(TokensService).create(...));
 */
import type { INestApplicationContext, Type } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import type { AuditActor } from '../../src/audit/audit.service';
import { Permission } from '../../src/common/access/permission';
import type { Principal } from '../../src/common/access/principal';
import type { RequestMeta } from '../../src/common/http/request-meta';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import { AuthMethod } from '../../src/common/access/auth-method';
import { UsersService } from '../../src/users/users.service';
import { createTestDatabase, TestDatabase } from './database';
import { PASSWORD } from './fixtures';
import { buildTestApp } from './test-app';

/** Where a service call "came from": what a request would pass as its RequestMeta. */
export const META: RequestMeta = { ip: '127.0.0.1', userAgent: 'medium-spec', requestId: 'medium' };

export interface ServiceMember {
  userId: string;
  organizationId: string;
  email: string;
  isSuperuser: boolean;
}

export class ServiceContext {
  db!: TestDatabase;
  private built?: { app: INestApplicationContext; logs: string[] };
  private organizations = 0;

  constructor(private readonly env: Record<string, string>) {}

  async init(): Promise<void> {
    this.db = await createTestDatabase();
    const { app, logs } = await buildTestApp(this.env, this.db);
    await app.init();
    this.built = { app, logs };
  }

  async close(): Promise<void> {
    await this.built?.app.close();
    await this.db?.drop();
  }

  private get app(): INestApplicationContext {
    if (!this.built) throw new Error('the service context is used before it was started');
    return this.built.app;
  }

  /** Every log line the app wrote, as JSON text. */
  get logs(): string[] {
    return this.built?.logs ?? [];
  }

  get<T>(type: Type<T>): T {
    return this.app.get(type);
  }

  /** Runs `work` in a request context of its own (a fresh EntityManager), like one request. */
  inContext<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.app.get(MikroORM).em.fork(), work);
  }

  /** A new organization with its first (and only) superuser, so each test starts from scratch. */
  async newOrganization(): Promise<{ id: string; slug: string; admin: ServiceMember }> {
    this.organizations += 1;
    const slug = `medium-${this.organizations}`;
    const { organization, admin } = await this.inContext(() =>
      this.get(OrganizationsService).createWithAdmin({
        name: `Medium ${this.organizations}`,
        slug,
        adminEmail: `boss@${slug}.test`,
        adminPassword: PASSWORD,
      }),
    );
    return {
      id: organization.id,
      slug,
      admin: {
        userId: admin.user.id,
        organizationId: organization.id,
        email: admin.user.email,
        isSuperuser: true,
      },
    };
  }

  /** Adds a password member to `organizationId` through the users service. */
  async newMember(
    organizationId: string,
    options: { email: string; superuser?: boolean; permissions?: Permission[] },
  ): Promise<ServiceMember> {
    const member = await this.inContext(() =>
      this.get(UsersService).addMember({
        organizationId,
        email: options.email,
        authMethod: AuthMethod.Password,
        password: PASSWORD,
        isSuperuser: options.superuser ?? false,
        permissions: options.permissions ?? [Permission.ManageApiTokens],
      }),
    );
    return {
      userId: member.user.id,
      organizationId,
      email: member.user.email,
      isSuperuser: member.isSuperuser,
    };
  }
}

/** The session principal the guard would set for `member` (what the services are given). */
export function principalOf(member: ServiceMember): Principal {
  return {
    userId: member.userId,
    organizationId: member.organizationId,
    email: member.email,
    name: member.email.split('@')[0],
    authMethod: AuthMethod.Password,
    isSuperuser: member.isSuperuser,
    permissions: [Permission.ManageApiTokens],
    via: 'session',
  };
}

/** The audit actor of `member`'s session. */
export const actorOf = (member: ServiceMember): AuditActor & { userId: string } => ({
  userId: member.userId,
  via: 'session',
});

/** A service context for the enclosing describe block: started before its tests, closed after. */
export function useServiceContext(env: Record<string, string> = {}): ServiceContext {
  const context = new ServiceContext(env);
  beforeAll(() => context.init());
  afterAll(() => context.close());
  return context;
}
