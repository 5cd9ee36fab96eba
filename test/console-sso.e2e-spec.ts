import type { Page } from 'playwright-core';
import { ConsoleBrowser, describeInBrowser, openConsoleBrowser } from './support/browser';
import { pageText } from './support/console-page';
import { bearer } from './support/context';
import { useSsoContext } from './support/sso-context';

// Keyhold's public address; Chromium resolves it to the test server (--host-resolver-rules). A
// .localhost name is a secure context, so the Secure session cookies stick over plain HTTP.
const PUBLIC_URL = 'http://keyhold.localhost';
const SSO_USER = 'ann@example.test';

/**
 * "Sign in with your organization's SSO" end to end in Chromium against a real OpenID Provider
 * (oidc-provider 8 in a child process): the console starts the login, the person signs in at the
 * provider, the callback sets the session and lands them back in the console at /, where SSO
 * needs no password re-entry to create a token.
 */
describeInBrowser('web console: SSO sign-in lands back in the console', () => {
  let b: ConsoleBrowser;
  let page: Page;
  // Declared first, so that it runs first: the browser goes before the server it talks to.
  afterAll(async () => {
    await b?.close();
  });
  // The test provider is on loopback, which the outbound policy refuses unless listed.
  const sso = useSsoContext({
    publicUrl: PUBLIC_URL,
    env: (idp) => ({ SSO_ALLOWED_ISSUER_HOSTS: new URL(idp.issuer).host }),
  });

  beforeAll(async () => {
    expect(sso.configured.status).toBe(200);
    await sso.t.newMember({ email: SSO_USER, sso: true });
    const { host } = new URL(sso.t.baseUrl);
    b = await openConsoleBrowser(PUBLIC_URL, [
      `--host-resolver-rules=MAP keyhold.localhost ${host}`,
    ]);
    page = b.page;
  });

  it('signs in through the provider, lands on /, and creates a token without a password', async () => {
    const { idp, t } = sso;
    await page.goto(`${PUBLIC_URL}/`);
    await page.getByLabel('Organization', { exact: true }).fill('example-org');
    await page.getByRole('button', { name: "Sign in with your organization's SSO" }).click();
    // The test provider's login "form" is its URL: ?email= names who signs in.
    await page.waitForURL((url) => url.pathname.startsWith('/interaction/'));
    const login = new URL(page.url());
    expect(login.origin).toBe(new URL(idp.issuer).origin);
    login.searchParams.set('email', SSO_USER);
    await page.goto(login.href);
    await page.waitForURL(`${PUBLIC_URL}/`);
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('ann (ann@example.test)').waitFor();

    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create token' });
    await dialog.getByLabel('Name').fill('laptop');
    await dialog.getByLabel('Name').press('Enter');
    const shown = page.getByRole('dialog', { name: 'Token created' });
    const secret = await shown.getByLabel('Token secret').inputValue();
    expect(await page.getByRole('dialog', { name: 'Confirm your password' }).count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    expect(await pageText(page)).not.toContain(secret);
    expect((await t.client().get('/api/v1/me', bearer(secret))).status).toBe(200);

    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByText('You sign in with your organization').waitFor();

    // The console loaded nothing from elsewhere: the provider's pages are the only other origin,
    // and the only refusals logged are the provider's own (its 400 "who signs in?", its favicon).
    const provider = new URL(idp.issuer).origin;
    const elsewhere = b.problems
      .splice(0)
      .filter(
        (line) =>
          !line.startsWith(`request to another origin: ${provider}/`) &&
          !(line.includes('Failed to load resource') && line.includes(`(${provider}/`)),
      );
    expect(elsewhere).toEqual([]);
  });
});
