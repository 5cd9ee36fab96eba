import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { ENV_VARIABLES } from './env.schema';

describe('loadConfig', () => {
  it('works with nothing set (SPEC §8 defaults)', () => {
    expect(
      loadConfig({ TOKEN_EXPIRY_REMINDER_DAYS: ' 1, 14,1,0' }).tokens.expiryReminderDays,
    ).toEqual([14, 1]);
    expect(loadConfig({ TOKEN_EXPIRY_REMINDER_DAYS: '' }).tokens.expiryReminderDays).toEqual([]);
    expect(() => loadConfig({ TOKEN_EXPIRY_REMINDER_DAYS: '7;1' })).toThrow(
      /TOKEN_EXPIRY_REMINDER_DAYS/,
    );
    const config = loadConfig({});
    expect(config.http).toMatchObject({ port: 3000, host: '127.0.0.1', trustProxy: false });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.tokens).toEqual({
      prefix: 'khp_',
      maxPerUser: 10,
      createLimitPerMinute: 10,
      createLimitPerHour: 50,
      lastUsedFlushMs: 1000,
      expiryReminderDays: [7, 1],
    });
    expect(config.auth).toMatchObject({
      loginLimitPerMinute: 10,
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 12,
      reauthWindowMinutes: 15,
      secureCookies: false,
    });
    expect(config.logLevel).toBe('info');
  });

  it('binds to 0.0.0.0 and sets Secure cookies in production', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config.http.host).toBe('0.0.0.0');
    expect(config.auth.secureCookies).toBe(true);
  });

  it.each([
    ['1', 1],
    ['10.0.0.1, 10.0.0.2', ['10.0.0.1', '10.0.0.2']],
    ['off', false],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['TRUST_PROXY', 'true'],
    ['DATABASE_URL', 'mysql://x'],
    ['TOKEN_PREFIX', 'KHP'],
    ['TOKEN_MAX_PER_USER', '0'],
    ['LOG_LEVEL', 'loud'],
    ['BOOTSTRAP_ADMIN_EMAIL', 'not-an-email'],
    ['BOOTSTRAP_ADMIN_PASSWORD', 'short'],
    ['NODE_ENV', 'staging'],
  ])('refuses %s=%s with a message naming it', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
  });

  it('documents every variable in .env.example', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z_]+)=/gm)].map((match) => match[1]));
    // The list comes from the EnvVars decorators, so it holds every declared variable.
    expect(ENV_VARIABLES).toEqual(expect.arrayContaining(['NODE_ENV', 'HOST', 'LOG_LEVEL']));
    expect(ENV_VARIABLES.length).toBeGreaterThan(30);
    expect(ENV_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });
});
