import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { Permission } from '../../src/common/access/permission';
import { AuthMethod } from '../../src/common/access/auth-method';
import { UsersService } from '../../src/users/users.service';
import { HttpClient } from './http-client';
import type { TestApp } from './test-app';

/** What the fixtures need of a running app: a `TestApp` or a `TestContext`. */
export type AppHandle = Pick<TestApp, 'app' | 'db' | 'client'>;

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
  t: AppHandle,
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
export async function signIn(
  t: Pick<AppHandle, 'client'>,
  email: string,
  password = PASSWORD,
): Promise<HttpClient> {
  const client = t.client();
  const response = await client.login(email, password);
  if (response.status !== 200) throw new Error(`login failed for ${email}: ${response.text}`);
  return client;
}

export interface CreatedToken {
  id: string;
  token: string;
  name: string;
  preview: string;
  expiresAt: string | null;
  access: 'read_only' | 'read_write';
}

/** Creates a token through the profile API and returns the 201 body. */
export async function createToken(
  client: HttpClient,
  name: string,
  expiresInDays: number | null = 30,
  access?: CreatedToken['access'],
): Promise<CreatedToken> {
  const response = await client.post<CreatedToken>('/api/v1/profile/tokens', {
    name,
    expiresInDays,
    access,
  });
  if (response.status !== 201) throw new Error(`token creation failed: ${response.text}`);
  return response.body;
}

/**
 * Polls `check` until it returns a truthy value, up to `ms` (for asynchronous effects); `what`
 * names the awaited effect in the error.
 */
export async function eventually<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms = 5000,
  what?: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(what ? `timed out waiting for ${what}` : 'condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
