import { addMember, PASSWORD } from './support/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TestApp } from './support/test-app';

/** SPEC §5a "Lockout is not a denial of service". IPs come from X-Forwarded-For (TRUST_PROXY=1). */
describe('login throttling: guessing is slowed, the owner is not locked out', () => {
  let t: TestApp;
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  const login = (password: string, ip: string, email = ADMIN_EMAIL) =>
    t.client().post('/api/v1/auth/login', { email, password }, from(ip));
  const failedCount = async () =>
    (
      await t.db.sql.query(
        `select failed_login_count as n from membership m join app_user u on u.id = m.user_id where u.email = $1`,
        [ADMIN_EMAIL],
      )
    ).rows[0].n as number;

  beforeAll(async () => {
    t = await startTestApp({
      TRUST_PROXY: '1',
      LOGIN_LIMIT_PER_MINUTE: '5',
      LOGIN_IP_LIMIT_PER_MINUTE: '12',
      LOGIN_ACCOUNT_LIMIT_PER_MINUTE: '20',
    });
  });
  afterAll(() => t.close());

  it('refuses one IP after 5 guesses at an account, while the right password from a fresh IP works', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login(`wrong-${i}`, '203.0.113.1')).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    // The guesser's own IP waits, even with the right password ...
    expect((await login(ADMIN_PASSWORD, '203.0.113.1')).status).toBe(429);
    // ... but the owner, elsewhere, signs in.
    expect((await login(ADMIN_PASSWORD, '203.0.113.2')).status).toBe(200);
  });

  it('counts every refused attempt on the account, throttled ones included', async () => {
    const before = await failedCount();
    for (let i = 0; i < 4; i++) await login(`wrong-${i}`, '203.0.113.1');
    expect(await failedCount()).toBe(before + 4);
  });

  it('refuses one IP trying many accounts (per IP across accounts)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      statuses.push((await login('x', '203.0.113.3', `someone-${i}@example.test`)).status);
    }
    expect(statuses.slice(0, 12).every((status) => status === 400)).toBe(true);
    expect(statuses.slice(12)).toEqual([429, 429]);
  });

  it('beyond the per-account limit across IPs, answers are slowed, not refused', async () => {
    await addMember(t, { email: 'popular@example.test' });
    // Guesses from many IPs, each under its own limit, push the account past 20 a minute.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        login(`wrong-${i}`, `203.0.113.${100 + i}`, 'popular@example.test'),
      ),
    );
    const started = Date.now();
    const owner = await login(PASSWORD, '203.0.113.250', 'popular@example.test');
    expect(owner.status).toBe(200);
    // Slowed by a second (a lower bound only: a busy machine is slower, never faster).
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});
