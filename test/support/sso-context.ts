/**
 * An SSO test context: a real OpenID Provider (oidc-provider 8 in a child process), the app
 * with that provider configured for its organization through `PUT /organizations/{org}/sso`,
 * and the browser side of a sign-in (start at Keyhold, sign in at the provider, the callback).
 */
import { createHash, randomBytes } from 'node:crypto';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { runCommand } from '../../src/cli/commands';
import { TestContext } from './context';
import type { HttpClient, HttpResponse } from './http-client';
import { startTestIdp, TestIdp } from './test-idp';

export const CLIENT_ID = 'keyhold';
export const CLIENT_SECRET = `idp-secret-${randomBytes(12).toString('hex')}`;
/** The bootstrap organization's slug. */
export const ORG = 'example-org';

/** What the server keeps of a login's state: its SHA-256. */
export const stateHashOf = (callback: URL) =>
  createHash('sha256')
    .update(callback.searchParams.get('state') ?? '')
    .digest('hex');

/** Where one sign-in stands: after the provider, before (or with) the callback. */
export interface SsoFlow {
  browser: HttpClient;
  start: HttpResponse;
  callback: URL;
  /** The callback's path and query, as the browser would request it. */
  path: string;
}

export interface SignInOptions {
  org?: string;
  verified?: boolean;
}

export interface SsoContextOptions {
  publicUrl: string;
  /** The app's environment once the provider is up (PUBLIC_URL is added). */
  env?: (idp: TestIdp) => Record<string, string>;
}

export class SsoContext {
  idp!: TestIdp;
  t!: TestContext;
  /** The answer of the PUT that configured the provider. */
  configured!: HttpResponse;
  readonly publicUrl: string;
  readonly redirectUri: string;

  constructor(private readonly options: SsoContextOptions) {
    this.publicUrl = options.publicUrl;
    this.redirectUri = `${options.publicUrl}/api/v1/auth/sso/callback`;
  }

  async init(): Promise<void> {
    this.idp = await startTestIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: this.redirectUri,
    });
    const env = { PUBLIC_URL: this.publicUrl, ...this.options.env?.(this.idp) };
    this.t = await TestContext.start(env);
    this.configured = await this.t.admin.request('PUT', this.t.orgPath('/sso'), {
      body: { issuer: this.idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
  }

  async close(): Promise<void> {
    await this.t?.close();
    await this.idp?.stop();
  }

  /** Runs `work` with the app's services in a request context of their own. */
  inContext<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.t.app.get(MikroORM).em.fork(), work);
  }

  /** An admin CLI command run on the app's own module graph; `secret` is what stdin gives. */
  cli(name: string, args: string[], secret = 'member-password-123'): Promise<unknown> {
    const input = { env: {}, readStdin: () => Promise.resolve(secret) };
    return this.inContext(() => runCommand(this.t.app, name, args, input));
  }

  /** Starts at Keyhold in a fresh browser, logs in at the provider, stops before the callback. */
  async startAndSignIn(email: string, options: SignInOptions = {}): Promise<SsoFlow> {
    const browser = this.t.client();
    const start = await browser.get(`/api/v1/auth/sso/${options.org ?? ORG}/start`);
    expect(start.status).toBe(302);
    const callback = await this.idp.signIn(String(start.headers.get('location')), email, options);
    expect(callback.href.startsWith(`${this.redirectUri}?`)).toBe(true);
    return { browser, start, callback, path: callback.pathname + callback.search };
  }

  /** A whole sign-in: `response` is the callback's answer. */
  async ssoLogin(
    email: string,
    options: SignInOptions = {},
  ): Promise<SsoFlow & { response: HttpResponse }> {
    const flow = await this.startAndSignIn(email, options);
    return { ...flow, response: await flow.browser.get(flow.path) };
  }
}

/** An SSO context for the enclosing describe block: started before its tests, closed after. */
export function useSsoContext(options: SsoContextOptions): SsoContext {
  const context = new SsoContext(options);
  beforeAll(() => context.init());
  afterAll(() => context.close());
  return context;
}
