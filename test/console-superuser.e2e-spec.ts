import type { Page } from 'playwright-core';
import { Permission } from '../src/common/access/permission';
import { ConsoleBrowser, describeInBrowser, openConsoleBrowser, skipLine } from './support/browser';
import {
  columnTexts,
  endpointMissing,
  isFocused,
  settlesTo,
  signInInBrowser,
} from './support/console-page';
import { bearer, useTestContext } from './support/context';
import { addMember, createToken, eventually, PASSWORD, signIn } from './support/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './support/test-app';

const MANAGE = 'Can create and manage personal API tokens';

/**
 * SPEC §11 for superusers in a real Chromium: the Team page (the "Can create and manage
 * personal API tokens" switch, superuser, add, deactivate, revoke all), Organization tokens
 * (search, sort, paging, revoke) and the Audit log (filters, paging).
 */
describeInBrowser('web console: Team, Organization tokens and Audit log', () => {
  let b: ConsoleBrowser;
  // Declared first, so that it runs first: the browser goes before the server it talks to.
  afterAll(async () => {
    await b?.close();
  });
  const t = useTestContext({
    LOGIN_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
  });
  let page: Page;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };

  const row = (text: string) => page.getByRole('row').filter({ hasText: text });
  const meStatus = async (token: string) =>
    (await t.client().get('/api/v1/me', bearer(token))).status;

  beforeAll(async () => {
    const a = await addMember(t, { email: 'alice@example.test' });
    const aliceApi = await signIn(t, a.email);
    alice = { id: a.id, token: (await createToken(aliceApi, 'alice-ci')).token };
    await createToken(aliceApi, 'alice-laptop');
    const o = await addMember(t, { email: 'bob@example.test' });
    const bobApi = await signIn(t, o.email);
    bob = { id: o.id, token: (await createToken(bobApi, 'bob-deploy')).token };
    await addMember(t, { email: 'carol@example.test', sso: true, permissions: [] });
    expect((await t.client().login('bob@example.test', 'wrong-password-1')).status).toBe(400);
    for (let i = 1; i <= 9; i += 1) await createToken(t.admin, `admin-${i}`);
    b = await openConsoleBrowser(t.baseUrl);
    page = b.page;
    await signInInBrowser(page, t.baseUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterEach(async () => {
    // A dialog a failed test left open would block the next test's clicks.
    while ((await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
    expect(b.problems.splice(0)).toEqual([]);
  });

  it('lists the team with permissions, flags, sign-in method, last login, failed logins and tokens', async () => {
    await page.getByRole('link', { name: 'Team' }).press('Enter');
    await page.getByRole('heading', { name: 'Team' }).waitFor();
    // Keyboard users land on the new page's heading.
    expect(await isFocused(page.getByRole('heading', { name: 'Team' }))).toBe(true);
    await page.getByText('Withdrawing it blocks their tokens but keeps them').waitFor();
    const aliceRow = row('alice@example.test');
    await aliceRow.getByRole('switch', { name: `${MANAGE} for alice` }).waitFor();
    expect(await aliceRow.getByRole('switch', { name: `${MANAGE} for alice` }).isChecked()).toBe(
      true,
    );
    expect(await aliceRow.getByRole('switch', { name: 'Superuser for alice' }).isChecked()).toBe(
      false,
    );
    const cells = async (email: string) =>
      (await row(email).getByRole('cell').allInnerTexts()).map((text) => text.trim());
    const aliceCells = await cells('alice@example.test');
    expect(aliceCells[1]).toBe('Password');
    expect(aliceCells[2]).toBe('Active');
    expect(aliceCells[5]).toMatch(/UTC/); // signed in once, by the fixture
    expect(aliceCells.slice(6, 8)).toEqual(['0', '2']);
    expect((await cells('bob@example.test')).slice(6, 8)).toEqual(['1', '1']);
    const carolCells = await cells('carol@example.test');
    expect([carolCells[1], carolCells[5]]).toEqual(['SSO', 'Never']);
    expect(
      await row('carol@example.test')
        .getByRole('switch', { name: `${MANAGE} for carol` })
        .isChecked(),
    ).toBe(false);
    await b.screenshot('team');
  });

  it('withdraws and grants “Can create and manage personal API tokens” from the keyboard', async () => {
    const toggle = row('alice@example.test').getByRole('switch', { name: `${MANAGE} for alice` });
    await toggle.focus();
    await page.keyboard.press('Space');
    await page
      .getByRole('alert')
      .filter({ hasText: "Withdrawn: alice's 2 token(s) are blocked, not deleted." })
      .waitFor();
    expect(
      await row('alice@example.test')
        .getByRole('switch', { name: `${MANAGE} for alice` })
        .isChecked(),
    ).toBe(false);
    expect(await meStatus(alice.token)).toBe(401);
    const kept = await t.db.sql.query(
      'select count(*)::int as n from api_token where user_id = $1 and revoked_at is null',
      [alice.id],
    );
    expect(kept.rows[0].n).toBe(2);
    // The organization's list shows them blocked, with the reason.
    await page.goto(`${t.baseUrl}/#/organization-tokens`);
    await page.getByLabel('Search', { exact: true }).fill('alice');
    await page.getByLabel('Search', { exact: true }).press('Enter');
    await expectNames(['alice-laptop', 'alice-ci']);
    const blocked = page.getByRole('row').filter({ hasText: 'alice-ci' }).getByText('Blocked');
    expect(await blocked.innerText()).toContain(`the owner lacks "${MANAGE}"`);
    await openTeam();

    await row('alice@example.test')
      .getByRole('switch', { name: `${MANAGE} for alice` })
      .check();
    await page
      .getByRole('alert')
      .filter({ hasText: 'alice may manage personal API tokens' })
      .waitFor();
    expect(await meStatus(alice.token)).toBe(200);
  });

  it('explains the last superuser rule and grants superuser', async () => {
    // click(), not uncheck(): uncheck() also requires the switch to end up off, and the console
    // puts it back on as soon as the refusal arrives (a fast server beat Playwright's check).
    await row(ADMIN_EMAIL)
      .getByRole('switch', { name: /^Superuser for / })
      .click();
    await page.getByRole('alert').filter({ hasText: 'superuser' }).first().waitFor();
    expect(
      await row(ADMIN_EMAIL)
        .getByRole('switch', { name: /^Superuser for / })
        .isChecked(),
    ).toBe(true);
    const refused = await t.db.sql.query(
      `select m.is_superuser from membership m join app_user u on u.id = m.user_id where u.email = $1`,
      [ADMIN_EMAIL],
    );
    expect(refused.rows[0].is_superuser).toBe(true);
    await row('bob@example.test').getByRole('switch', { name: 'Superuser for bob' }).check();
    await page.getByRole('alert').filter({ hasText: 'bob is now a superuser.' }).waitFor();
    await row('bob@example.test').getByRole('switch', { name: 'Superuser for bob' }).uncheck();
    await page.getByRole('alert').filter({ hasText: 'bob is no longer a superuser.' }).waitFor();
  });

  it('adds a password member and an SSO member in the dialog', async () => {
    await openTeam();
    await page.getByRole('button', { name: 'Add member' }).press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Add member' });
    await page.keyboard.type('dana@example.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Dana Scully');
    await dialog.getByLabel('Initial password').fill('dana-initial-password');
    await dialog.getByLabel('Initial password').press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await row('dana@example.test').getByText('Dana Scully').waitFor();
    expect((await t.client().login('dana@example.test', 'dana-initial-password')).status).toBe(200);

    await page.getByRole('button', { name: 'Add member' }).click();
    await dialog.getByLabel('Email').fill('erin@example.test');
    await dialog.getByLabel('Name').fill('Erin');
    await dialog.getByLabel("The organization's SSO").check();
    expect(await dialog.getByLabel('Initial password').isHidden()).toBe(true);
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await row('erin@example.test').getByRole('cell').nth(1).innerText()).trim()).toBe(
      'SSO',
    );
  });

  it('deactivates a member after a confirmation, and activates them again', async () => {
    await openTeam();
    await row('bob@example.test').getByRole('button', { name: 'Deactivate bob' }).click();
    const confirm = page.getByRole('dialog', { name: 'Deactivate bob?' });
    await confirm.getByText('their tokens stop working at once').waitFor();
    await confirm.getByRole('button', { name: 'Deactivate' }).press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await row('bob@example.test').getByText('Deactivated').waitFor();
    expect((await t.client().login('bob@example.test', PASSWORD)).body.code).toBe(
      'account_disabled',
    );
    expect(await meStatus(bob.token)).toBe(401);
    await row('bob@example.test').getByRole('button', { name: 'Activate bob' }).click();
    await row('bob@example.test').getByRole('button', { name: 'Deactivate bob' }).waitFor();
    expect(await meStatus(bob.token)).toBe(200);
  });

  it('[lifecycle] revokes all of a member’s tokens after a confirmation', async () => {
    const { admin } = t;
    const probe = t.orgPath('/members/00000000-0000-4000-8000-000000000000/tokens');
    if (await endpointMissing(admin, 'DELETE', probe)) {
      skipLine(
        'console revoke all of a member’s tokens (DELETE /organizations/{orgId}/members/{userId}/tokens)',
      );
      return;
    }
    await openTeam();
    const danaApi = await signIn(t, 'dana@example.test', 'dana-initial-password');
    await admin.request('PATCH', t.orgPath(`/members/${await idOf('dana@example.test')}`), {
      body: { permissions: { [Permission.ManageApiTokens]: true } },
    });
    const danaToken = await createToken(danaApi, 'dana-ci');
    await page.reload();
    await row('dana@example.test')
      .getByRole('button', { name: 'Revoke all tokens of Dana Scully' })
      .click();
    const confirm = page.getByRole('dialog', { name: "Revoke all of Dana Scully's tokens?" });
    await confirm.getByRole('button', { name: 'Revoke all tokens' }).press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: '1 token of Dana Scully revoked.' }).waitFor();
    expect(await meStatus(danaToken.token)).toBe(401);
  });

  it('searches, sorts and pages the organization’s tokens, and revokes one after a confirmation', async () => {
    await page.getByRole('link', { name: 'Organization tokens' }).click();
    await page.getByRole('heading', { name: 'Organization tokens' }).waitFor();
    const table = page.getByRole('table', { name: 'Tokens in the organization' });
    await table.waitFor();
    await b.screenshot('organization-tokens');
    // A slow answer to an older search never overwrites the newer one.
    const slowBob = (url: URL) =>
      url.pathname.endsWith('/tokens') && url.searchParams.get('q') === 'bob';
    let answeredLate = false;
    await page.route(slowBob, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 600));
      await route.continue();
      answeredLate = true;
    });
    const search = page.getByLabel('Search', { exact: true });
    await search.fill('bob');
    await search.press('Enter');
    await search.fill('alice');
    await search.press('Enter');
    await expectNames(['alice-laptop', 'alice-ci']);
    await eventually(() => answeredLate);
    await page.waitForTimeout(100);
    expect(await tokenNames()).toEqual(['alice-laptop', 'alice-ci']);
    await page.unroute(slowBob);
    await page.getByLabel('Sort').selectOption('name');
    await expectNames(['alice-ci', 'alice-laptop']);

    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByLabel('Search', { exact: true }).press('Enter');
    await page.getByLabel('Rows per page').selectOption('10');
    await expectNames([
      'admin-1',
      'admin-2',
      'admin-3',
      'admin-4',
      'admin-5',
      'admin-6',
      'admin-7',
      'admin-8',
      'admin-9',
      'alice-ci',
    ]);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    const second = await tokenNames();
    expect(second.slice(0, 2)).toEqual(['alice-laptop', 'bob-deploy']);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1').waitFor();

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('button', { name: 'Revoke bob-deploy of bob' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke token “bob-deploy”?' });
    await confirm.getByText('of bob (bob@example.test)').waitFor();
    await confirm.getByRole('button', { name: 'Revoke token' }).press('Enter');
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: 'bob-deploy' }).waitFor({ state: 'detached' });
    expect(await meStatus(bob.token)).toBe(401);
  });

  it('filters the audit log by action, actor, target and time, and pages it', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const events = page.getByRole('table', { name: 'Audit events, newest first' });
    await events.waitFor();
    await b.screenshot('audit-log', false);

    await page.getByLabel('Action').selectOption('token.revoked');
    await page.getByLabel('Target user').selectOption({ label: 'bob (bob@example.test)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectActions(['token.revoked']);
    await events.getByRole('row').filter({ hasText: 'bob (bob@example.test)' }).first().waitFor();

    await page.getByLabel('Action').selectOption('');
    await page.getByLabel('Target user').selectOption('');
    await page.getByLabel('Actor').selectOption({ label: 'alice (alice@example.test)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expectActions(['token.created', 'token.created', 'auth.login.succeeded']);

    await page.getByLabel('From (UTC)').fill('2099-01-01T00:00');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No events match these filters.').waitFor();
    await page.getByLabel('From (UTC)').fill('2000-01-01T00:00');
    await page.getByLabel('To (UTC)').fill('2099-01-01T00:00');
    await page.getByLabel('Actor').selectOption('');
    await page.getByLabel('Rows per page').selectOption('10');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('Page 1').waitFor();
    await expectRowCount(10);
    const firstPage = await events.getByRole('row').allInnerTexts();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    expect(await events.getByRole('row').allInnerTexts()).not.toEqual(firstPage);
  });

  async function openTeam(): Promise<void> {
    await page.goto(`${t.baseUrl}/#/team`);
    await page.getByRole('table', { name: 'Members' }).waitFor();
  }

  async function idOf(email: string): Promise<string> {
    return (await t.db.sql.query('select id from app_user where email = $1', [email])).rows[0].id;
  }

  const tokenNames = () => columnTexts(page, 'Tokens in the organization', 1);
  const auditActions = () => columnTexts(page, 'Audit events, newest first', 2);
  const expectNames = (names: string[]) => settlesTo(tokenNames, names);
  const expectActions = (actions: string[]) => settlesTo(auditActions, actions);
  const expectRowCount = (count: number) =>
    settlesTo(async () => (await auditActions()).length, count);
});
