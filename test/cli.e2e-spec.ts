import { NestFactory } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { CliModule } from '../src/cli/cli.module';
import { runCommand } from '../src/cli/commands';
import { AppConfig } from '../src/config/app-config';
import { PASSWORD, signIn } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('admin CLI (SPEC §8), on the server database', () => {
  let t: TestApp;
  let cli: INestApplicationContext;
  // Secrets come on stdin ("-") or from the environment, never from the arguments.
  const run = (name: string, args: string[], stdin = '') =>
    runCommand(cli, name, args, { env: {}, readStdin: () => Promise.resolve(`${stdin}\n`) });

  beforeAll(async () => {
    t = await startTestApp({ TOKEN_CREATE_LIMIT_PER_MINUTE: '100' });
    cli = await NestFactory.createApplicationContext(
      CliModule.register(t.app.get(AppConfig), t.db.url),
    );
  });
  afterAll(async () => {
    await cli.close();
    await t.close();
  });

  it('org:create and user:add print what they did, and the audit log has it', async () => {
    const org = await run('org:create', ['--name', 'Acme Corp', '--admin-email', 'boss@acme.test']);
    expect(org).toMatchObject({
      action: 'org:create',
      organization: { slug: 'acme-corp', name: 'Acme Corp' },
      admin: { email: 'boss@acme.test', isSuperuser: true, permissions: ['api_tokens.manage'] },
    });
    expect(typeof org.generatedPassword).toBe('string');
    const user = await run(
      'user:add',
      [
        ...['--org', 'acme-corp', '--email', 'dev@acme.test', '--password', '-'],
        ...['--superuser', '--grant', 'api_tokens.manage'],
      ],
      PASSWORD,
    );
    expect(user).toMatchObject({
      action: 'user:add',
      user: {
        email: 'dev@acme.test',
        isSuperuser: true,
        permissions: ['api_tokens.manage'],
        authMethod: 'password',
      },
    });
    const { rows } = await t.db.sql.query(
      `select action, ip, user_agent from audit_event where metadata->>'via' = 'cli' order by occurred_at, action`,
    );
    // Both the organization's first superuser and the added member: added, superuser, permission.
    expect(rows.map((r) => r.action).sort()).toEqual(
      [
        ...['member.added', 'member.superuser_granted', 'permission.granted'],
        ...['member.added', 'member.superuser_granted', 'permission.granted'],
      ].sort(),
    );
    expect(rows.every((r) => r.ip === 'cli' && r.user_agent === 'keyhold-cli')).toBe(true);
    expect((await signIn(t, 'dev@acme.test')).csrfToken).toBeDefined();
  });

  it('refuses what the API refuses: short passwords, lists of addresses, unknown permissions', async () => {
    await expect(
      run('user:add', ['--org', 'acme-corp', '--email', 's@acme.test', '--password', 'short'], ''),
    ).rejects.toThrow(/never taken from the command line/);
    await expect(
      run('user:add', ['--org', 'acme-corp', '--email', 's@acme.test', '--password', '-'], 'short'),
    ).rejects.toBeDefined();
    const attempts = [
      ['--org', 'acme-corp', '--email', '"a,b"@acme.test', '--sso'],
      ['--org', 'acme-corp', '--email', 'x@acme.test', '--sso', '--grant', 'everything'],
      ['--org', 'nope', '--email', 'y@acme.test', '--sso'],
    ];
    for (const args of attempts) {
      await expect(run('user:add', args)).rejects.toBeDefined();
    }
    const { rows } = await t.db.sql.query(
      `select count(*)::int as n from app_user where email like '%acme.test%'`,
    );
    expect(rows[0].n).toBe(2);
  });

  it('reads secrets from stdin or the environment, never from the arguments (SPEC §8)', async () => {
    const fromEnv = await runCommand(
      cli,
      'org:create',
      ['--name', 'Env Corp', '--admin-email', 'boss@env.test'],
      {
        env: { KEYHOLD_ADMIN_PASSWORD: 'env-password-1234' },
        readStdin: () => Promise.reject(new Error('no stdin')),
      },
    );
    expect(fromEnv.generatedPassword).toBeUndefined();
    expect((await signIn(t, 'boss@env.test', 'env-password-1234')).csrfToken).toBeDefined();
    const literal = {
      'org:create': [
        '--name',
        'X',
        '--admin-email',
        'x@x.test',
        '--admin-password',
        'p4ssw0rd-1234',
      ],
      'org:sso': ['--org', 'env-corp', '--issuer', 'https://idp.test', '--client-id', 'c'],
    };
    await expect(run('org:create', literal['org:create'])).rejects.toThrow(
      /never taken from the command line/,
    );
    await expect(
      run('org:sso', [...literal['org:sso'], '--client-secret', 's3cret']),
    ).rejects.toThrow(/never taken from the command line/);
    await expect(run('org:sso', literal['org:sso'])).rejects.toThrow(/KEYHOLD_SSO_CLIENT_SECRET/);
  });

  it('org:token-lifetime caps new tokens: longer or never → 400, default shortened', async () => {
    const result = await run('org:token-lifetime', ['--org', 'acme-corp', '--max-days', '14']);
    expect(result).toMatchObject({ maxTokenLifetimeDays: 14 });
    const dev = await signIn(t, 'dev@acme.test');
    for (const expiresInDays of [30, null]) {
      const refused = await dev.post('/api/v1/profile/tokens', {
        name: `long-${expiresInDays}`,
        expiresInDays,
      });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('token_lifetime_exceeded');
    }
    const allowed = await dev.post<{ createdAt: string; expiresAt: string }>(
      '/api/v1/profile/tokens',
      {
        name: 'weekly',
        expiresInDays: 7,
      },
    );
    expect(allowed.status).toBe(201);
    const defaulted = await dev.post<{ createdAt: string; expiresAt: string }>(
      '/api/v1/profile/tokens',
      {
        name: 'default',
      },
    );
    const days =
      (Date.parse(defaulted.body.expiresAt) - Date.parse(defaulted.body.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(14, 3);
    await expect(
      run('org:token-lifetime', ['--org', 'acme-corp', '--max-days', '0']),
    ).rejects.toBeDefined();
    expect(
      await run('org:token-lifetime', ['--org', 'acme-corp', '--max-days', 'none']),
    ).toMatchObject({
      maxTokenLifetimeDays: null,
    });
    expect(
      (await dev.post('/api/v1/profile/tokens', { name: 'forever', expiresInDays: null })).status,
    ).toBe(201);
  });
});
