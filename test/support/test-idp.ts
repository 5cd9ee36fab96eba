import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export type TamperMode = 'forge' | 'expired' | 'audience' | 'issuer';

export interface TestIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** true: the ID token carries only `sub`; email comes from UserInfo (like Okta). */
  conformIdTokenClaims?: boolean;
}

/** A real OpenID Provider (oidc-provider 8) in a child process; see oidc-provider.mjs. */
export interface TestIdp {
  issuer: string;
  /**
   * Follows a Keyhold authorization URL through the provider like a browser (manual redirects,
   * the provider's own cookies), logging in as `email`, and returns the URL the provider
   * finally redirects to (Keyhold's callback, with code, state and iss).
   */
  signIn(authorizationUrl: string, email: string, options?: { verified?: boolean }): Promise<URL>;
  /** The next token response carries a doctored ID token. */
  tamperNextIdToken(mode: TamperMode): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT = join(__dirname, 'oidc-provider.mjs');

function waitForIssuer(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    const timer = setTimeout(() => fail('no ISSUER line within 20 s'), 20_000);
    function fail(reason: string) {
      clearTimeout(timer);
      reject(new Error(`test IdP did not start (${reason}): ${errors}`));
    }
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /^ISSUER (\S+)$/m.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const child = spawn(process.execPath, [SCRIPT], {
    env: { ...process.env, IDP_CONFIG: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const issuer = await waitForIssuer(child).catch(async (error: unknown) => {
    child.kill('SIGTERM');
    await exited;
    throw error;
  });
  return {
    issuer,
    async signIn(authorizationUrl, email, { verified = true } = {}) {
      const jar = new Map<string, string>();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        if (!url.href.startsWith(issuer)) return url;
        if (url.pathname.startsWith('/interaction/')) {
          url.searchParams.set('email', email);
          if (!verified) url.searchParams.set('verified', 'false');
        }
        const response = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') },
        });
        for (const line of response.headers.getSetCookie()) {
          const pair = line.split(';')[0];
          const at = pair.indexOf('=');
          jar.set(pair.slice(0, at), pair.slice(at + 1));
        }
        const location = response.headers.get('location');
        if (!location) {
          throw new Error(`the provider answered ${response.status}: ${await response.text()}`);
        }
        url = new URL(location, url);
      }
      throw new Error('too many redirects at the provider');
    },
    async tamperNextIdToken(mode) {
      const response = await fetch(`${issuer}/__test/tamper?mode=${mode}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`tamper failed: ${response.status}`);
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
