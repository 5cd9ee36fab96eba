/**
 * The end-to-end test context: one running app on its own database, its organization, a
 * signed-in superuser, and factories that make members and tokens the way a client would,
 * through the HTTP API. Either
 *
 *   const t = useTestContext({ TOKEN_MAX_PER_USER: '3' }); // beforeAll starts, afterAll closes
 *   it('...', async () => {
 *     const dev = await t.newMember({ email: 'dev@example.test' }); // dev.client is signed in
 *     const token = await t.newToken(dev.client, { name: 'CI' });  // token.secret, token.id
 *     expectProblem(await t.client().get('/api/v1/me'), 401, 'authentication_required');
 *   });
 *
 * in a describe block, or `const t = await TestContext.start(env)` ... `await t.close()` in a test.
 */
import { Permission } from '../../src/common/access/permission';
import { createToken, CreatedToken, PASSWORD, signIn } from './fixtures';
import type { HttpClient } from './http-client';
import { startTestApp, TestApp } from './test-app';

export interface OrganizationSummary {
  id: string;
  slug: string;
  name: string;
}

export interface MemberOptions {
  /** Default: a fresh `member-<n>@example.test`. */
  email?: string;
  /** Default: the part of the email before the @ (the server's own default). */
  name?: string;
  /** An SSO member: no password, so no signed-in client either. */
  sso?: boolean;
  /** Password members only; default `PASSWORD` from the fixtures. */
  password?: string;
  superuser?: boolean;
  /** Granted right after adding; default: "Can create and manage personal API tokens". */
  permissions?: Permission[];
}

export interface NewMember {
  id: string;
  email: string;
  name: string;
}

export interface SignedInMember extends NewMember {
  password: string;
  /** Signed in with the member's password (session cookie and CSRF token). */
  client: HttpClient;
}

export interface TokenOptions {
  /** Default: a fresh `token-<n>`. */
  name?: string;
  /** Default 30; null: never expires. */
  expiresInDays?: number | null;
  access?: CreatedToken['access'];
}

export interface NewToken {
  id: string;
  /** The raw token, as the 201 answer shows it once. */
  secret: string;
  name: string;
  preview: string;
  expiresAt: string | null;
  access: CreatedToken['access'];
}

/** The Authorization header that presents `secret` as a Bearer token. */
export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

interface ProblemResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/**
 * Asserts an RFC 9457 answer: the status, `application/problem+json`, and a problem body with
 * that `status` and `code`, its `type`, a `title` and a `detail`, and no stack trace.
 */
export function expectProblem(response: ProblemResponse, status: number, code: string): void {
  const body = (response.body ?? {}) as Record<string, unknown>;
  // Status and code first, together: the message of a failure shows both.
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(body).toMatchObject({ type: `urn:keyhold:problem:${code}`, status, code });
  expect(typeof body.title).toBe('string');
  expect(String(body.title)).not.toBe('');
  expect(typeof body.detail).toBe('string');
  expect(response.text).not.toMatch(/\bat .+\.(js|ts):\d+/);
}

type Env = Record<string, string>;

export class TestContext {
  org!: OrganizationSummary;
  /** The bootstrap superuser, signed in once for the whole context. */
  admin!: HttpClient;
  adminId!: string;
  private running?: TestApp;
  private members = 0;
  private tokens = 0;

  /** `env`, or a function giving it when the context starts (after earlier beforeAll hooks). */
  constructor(private readonly env: Env | (() => Env) = {}) {}

  /** Starts the app and signs the superuser in; `close()` it when done. */
  static async start(env: Env | (() => Env) = {}): Promise<TestContext> {
    const context = new TestContext(env);
    await context.init();
    return context;
  }

  /** Starts the app, signs the superuser in and reads who and where they are. */
  async init(): Promise<void> {
    this.running = await startTestApp(typeof this.env === 'function' ? this.env() : this.env);
    this.admin = await this.running.admin();
    const me = await this.admin.get<{ user: { id: string }; organization: OrganizationSummary }>(
      '/api/v1/me',
    );
    if (me.status !== 200) throw new Error(`GET /me as the superuser failed: ${me.text}`);
    const { id, slug, name } = me.body.organization;
    this.org = { id, slug, name };
    this.adminId = me.body.user.id;
  }

  private get t(): TestApp {
    if (!this.running) throw new Error('the test context is used before it was started');
    return this.running;
  }

  get app(): TestApp['app'] {
    return this.t.app;
  }

  get db(): TestApp['db'] {
    return this.t.db;
  }

  get baseUrl(): string {
    return this.t.baseUrl;
  }

  /** Every log line the app wrote, as JSON text. */
  get logs(): string[] {
    return this.t.logs;
  }

  /** A fresh client with no credentials. */
  client(): HttpClient {
    return this.t.client();
  }

  /** The path of an organization's API, this context's organization by default. */
  orgPath(rest = '', orgId = this.org.id): string {
    return `/api/v1/organizations/${orgId}${rest}`;
  }

  /**
   * Adds a member through the Team API as the superuser (audited like any addition), grants
   * the permissions and superuser flag asked for, and signs a password member in.
   */
  newMember(options: MemberOptions & { sso: true }): Promise<NewMember>;
  newMember(options?: MemberOptions & { sso?: false }): Promise<SignedInMember>;
  async newMember(options: MemberOptions = {}): Promise<NewMember | SignedInMember> {
    this.members += 1;
    const email = options.email ?? `member-${this.members}@example.test`;
    const name = options.name ?? email.split('@')[0];
    const password = options.sso ? undefined : (options.password ?? PASSWORD);
    const added = await this.admin.post<{ id: string; email: string; name: string }>(
      this.orgPath('/members'),
      { email, name, authMethod: options.sso ? 'sso' : 'password', password },
    );
    if (added.status !== 201) throw new Error(`adding ${email} failed: ${added.text}`);
    const member = { id: added.body.id, email: added.body.email, name: added.body.name };
    const permissions = options.permissions ?? [Permission.ManageApiTokens];
    const patch = {
      ...(permissions.includes(Permission.ManageApiTokens)
        ? { permissions: { [Permission.ManageApiTokens]: true } }
        : {}),
      ...(options.superuser ? { isSuperuser: true } : {}),
    };
    if (Object.keys(patch).length > 0) {
      const changed = await this.admin.request('PATCH', this.orgPath(`/members/${member.id}`), {
        body: patch,
      });
      if (changed.status !== 200) throw new Error(`updating ${email} failed: ${changed.text}`);
    }
    if (password === undefined) return member;
    return { ...member, password, client: await signIn(this, email, password) };
  }

  /** Creates a token through the profile API with `client`'s session. */
  async newToken(client: HttpClient, options: TokenOptions = {}): Promise<NewToken> {
    this.tokens += 1;
    const created = await createToken(
      client,
      options.name ?? `token-${this.tokens}`,
      options.expiresInDays === undefined ? 30 : options.expiresInDays,
      options.access,
    );
    const { id, token, name, preview, expiresAt, access } = created;
    return { id, secret: token, name, preview, expiresAt, access };
  }

  async close(): Promise<void> {
    await this.running?.close();
    this.running = undefined;
  }
}

/** The context of the enclosing describe block: started before its tests, closed after them. */
export function useTestContext(env: Env | (() => Env) = {}): TestContext {
  const context = new TestContext(env);
  beforeAll(() => context.init());
  afterAll(() => context.close());
  return context;
}
