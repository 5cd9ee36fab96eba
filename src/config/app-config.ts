import { resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ENV_VARIABLES, EnvVars } from './env.schema';

export type TrustProxy = false | number | string[];
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The typed configuration's shape, as built by buildConfig from the validated variables. */
export type AppConfigValues = ReturnType<typeof buildConfig>;
export type DatabaseSettings = AppConfigValues['database'];

// The class is the DI token; its fields come from buildConfig through declaration merging, so the
// shape is written once.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends Readonly<AppConfigValues> {}

/** Typed configuration, validated once at start and injected everywhere by class token. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class AppConfig {
  static create(values: AppConfigValues): AppConfig {
    return Object.freeze(Object.assign(new AppConfig(), values));
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

function parseTrustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === 'off' || raw === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw.split(',').map((address) => address.trim());
}

function parseReminderDays(raw: string): number[] {
  const days = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map(Number)
    .filter((day) => day > 0);
  return [...new Set(days)].sort((a, b) => b - a);
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  const picked = Object.fromEntries(
    ENV_VARIABLES.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]),
  );
  const env = plainToInstance(EnvVars, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    throw new ConfigError(
      errors.flatMap((error) =>
        Object.values(error.constraints ?? {}).map((message) =>
          message.startsWith(error.property) ? message : `${error.property}: ${message}`,
        ),
      ),
    );
  }
  return AppConfig.create(buildConfig(env));
}

/**
 * Maps validated variables to the typed configuration; AppConfig's shape is inferred from this
 * function, so a new variable is declared once in EnvVars and used once here.
 */
// eslint-disable-next-line max-lines-per-function -- a declarative table, one line a variable, that AppConfig's type is inferred from
function buildConfig(env: EnvVars) {
  const nodeEnv = env.NODE_ENV as 'development' | 'production' | 'test';
  const host = env.HOST ?? (nodeEnv === 'production' ? '0.0.0.0' : '127.0.0.1');
  const dataDir = resolve(env.DATA_DIR);
  return {
    env: nodeEnv,
    /**
     * The mail worker and the expiry-reminder sweep run in the server only: a short-lived CLI
     * process queues mail for the server to send (with the server's transport), never sends it.
     */
    backgroundWork: true as boolean,
    http: {
      port: env.PORT,
      host,
      publicUrl: env.PUBLIC_URL ?? `http://${host === '0.0.0.0' ? 'localhost' : host}:${env.PORT}`,
      trustProxy: parseTrustProxy(env.TRUST_PROXY),
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    },
    dataDir,
    databaseUrl: env.DATABASE_URL,
    /** Bounds on every database wait (SPEC §5a); the listen URL bypasses a pooling proxy. */
    database: {
      /** A direct connection for LISTEN when DATABASE_URL goes through PgBouncer (transaction mode). */
      listenUrl: env.DATABASE_LISTEN_URL,
      connectTimeoutMs: env.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    redis: { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX },
    mail: {
      smtpUrl: env.SMTP_URL,
      from: env.MAIL_FROM,
      dir: resolve(dataDir, 'mail'),
      retryBaseMs: env.MAIL_RETRY_BASE_MS,
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
    },
    tokens: {
      prefix: env.TOKEN_PREFIX,
      maxPerUser: env.TOKEN_MAX_PER_USER,
      createLimitPerMinute: env.TOKEN_CREATE_LIMIT_PER_MINUTE,
      createLimitPerHour: env.TOKEN_CREATE_LIMIT_PER_HOUR,
      lastUsedFlushMs: env.LAST_USED_FLUSH_MS,
      /** Days before expiry an owner is reminded, largest first, each > 0 (the expiry notice is extra). */
      expiryReminderDays: parseReminderDays(env.TOKEN_EXPIRY_REMINDER_DAYS),
    },
    auth: {
      /** Per (account, IP); per IP and per account across IPs have their own, higher limits. */
      loginLimitPerMinute: env.LOGIN_LIMIT_PER_MINUTE,
      loginIpLimitPerMinute: env.LOGIN_IP_LIMIT_PER_MINUTE ?? 5 * env.LOGIN_LIMIT_PER_MINUTE,
      loginAccountLimitPerMinute:
        env.LOGIN_ACCOUNT_LIMIT_PER_MINUTE ?? 10 * env.LOGIN_LIMIT_PER_MINUTE,
      sessionIdleMinutes: env.SESSION_IDLE_MINUTES,
      sessionAbsoluteHours: env.SESSION_ABSOLUTE_HOURS,
      reauthWindowMinutes: env.REAUTH_WINDOW_MINUTES,
      secureCookies: nodeEnv !== 'development',
    },
    bootstrap: {
      orgName: env.BOOTSTRAP_ORG_NAME,
      adminEmail: env.BOOTSTRAP_ADMIN_EMAIL,
      adminPassword: env.BOOTSTRAP_ADMIN_PASSWORD,
    },
    /** Encrypts SSO client secrets: SSO_SECRET_KEY, else a random key kept in `keyFile`. */
    sso: {
      secretKey: env.SSO_SECRET_KEY,
      keyFile: resolve(dataDir, 'sso.key'),
      allowedIssuerHosts: (env.SSO_ALLOWED_ISSUER_HOSTS ?? '')
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    },
    logLevel: env.LOG_LEVEL as LogLevel,
  };
}
