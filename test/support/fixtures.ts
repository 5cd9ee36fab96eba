import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { Permission } from '../../src/common/access/permission';
import { AuthMethod } from '../../src/users/membership.entity';
import { UsersService } from '../../src/users/users.service';
import { HttpClient } from './http-client';
import type { TestApp } from './test-app';

export const PASSWORD = 'member-password-123';

export interface MemberSpec {
  email: string;
  sso?: boolean;
  superuser?: boolean;
  permissions?: Permission[];
  organizationId?: string;
}

/** Adds a member to the bootstrap organization (or the one given) through the users service. */
export async function addMember(
  t: TestApp,
  spec: MemberSpec,
): Promise<{ id: string; email: string }> {
  const organizationId =
    spec.organizationId ??
    (await t.db.sql.query('select id from organization order by created_at limit 1')).rows[0].id;
  const orm = t.app.get(MikroORM);
  const member = await RequestContext.create(orm.em.fork(), () =>
    t.app.get(UsersService).addMember({
      organizationId,
      email: spec.email,
      authMethod: spec.sso ? AuthMethod.Sso : AuthMethod.Password,
      password: spec.sso ? undefined : PASSWORD,
      isSuperuser: spec.superuser ?? false,
      permissions: spec.permissions ?? [Permission.ManageApiTokens],
    }),
  );
  return { id: member.user.id, email: member.user.email };
}

/** A signed-in client for a password member. */
export async function signIn(t: TestApp, email: string, password = PASSWORD): Promise<HttpClient> {
  const client = t.client();
  const response = await client.login(email, password);
  if (response.status !== 200) throw new Error(`login failed for ${email}: ${response.text}`);
  return client;
}

/** Creates a token through the profile API and returns the 201 body. */
export async function createToken(
  client: HttpClient,
  name: string,
  expiresInDays: number | null = 30,
): Promise<{ id: string; token: string; name: string; preview: string }> {
  const response = await client.post<{ id: string; token: string; name: string; preview: string }>(
    '/api/v1/profile/tokens',
    { name, expiresInDays },
  );
  if (response.status !== 201) throw new Error(`token creation failed: ${response.text}`);
  return response.body;
}

/** Polls `check` until it returns a truthy value, up to `ms` (for asynchronous effects). */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
