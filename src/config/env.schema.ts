import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  getMetadataStorage,
} from 'class-validator';

const emptyToUndefined = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Every environment variable Keyhold reads (SPEC §8); documented in .env.example. */
export class EnvVars {
  @IsOptional() @IsIn(['development', 'production', 'test']) NODE_ENV: string = 'development';
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;
  @IsOptional() @Transform(emptyToUndefined) @IsString() HOST?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_URL?: string;
  @IsOptional() @IsString() @MinLength(1) DATA_DIR: string = '.data';
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_LISTEN_URL must be a postgres:// URL' })
  DATABASE_LISTEN_URL?: string;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(60000)
  DATABASE_CONNECT_TIMEOUT_MS: number = 3000;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  DATABASE_STATEMENT_TIMEOUT_MS: number = 5000;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3600000)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number = 10000;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;
  @IsOptional()
  @Matches(/^[A-Za-z0-9:_-]{1,64}$/, {
    message: 'REDIS_KEY_PREFIX must be 1-64 of A-Z a-z 0-9 : _ -',
  })
  REDIS_KEY_PREFIX: string = 'keyhold:';
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^smtps?:\/\/\S+$/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsOptional() @IsString() @MaxLength(200) MAIL_FROM: string = 'Keyhold <no-reply@keyhold.local>';
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) @Max(3600000) MAIL_RETRY_BASE_MS: number =
    1000;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) MAIL_MAX_ATTEMPTS: number = 16;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^(off|false|\d{1,2}|[0-9a-fA-F.:/]+(,\s*[0-9a-fA-F.:/]+)*)$/, {
    message:
      'TRUST_PROXY must be off, a hop count, or comma-separated proxy addresses (never "true")',
  })
  TRUST_PROXY?: string;
  @IsOptional()
  @Matches(/^[a-z][a-z0-9]{0,9}_$/, {
    message: 'TOKEN_PREFIX must be 2-11 lowercase letters/digits ending in "_" (e.g. khp_)',
  })
  TOKEN_PREFIX: string = 'khp_';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) TOKEN_MAX_PER_USER: number = 10;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) TOKEN_CREATE_LIMIT_PER_MINUTE: number = 10;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) TOKEN_CREATE_LIMIT_PER_HOUR: number = 50;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) LOGIN_LIMIT_PER_MINUTE: number = 10;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) LOGIN_IP_LIMIT_PER_MINUTE?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) LOGIN_ACCOUNT_LIMIT_PER_MINUTE?: number;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30000;
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_HEADERS_TIMEOUT_MS: number = 10000;
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^[A-Za-z0-9.:[\]-]+(,\s*[A-Za-z0-9.:[\]-]+)*$/, {
    message: 'SSO_ALLOWED_ISSUER_HOSTS must be comma-separated host names or host:port pairs',
  })
  SSO_ALLOWED_ISSUER_HOSTS?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SESSION_IDLE_MINUTES: number = 60;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) SESSION_ABSOLUTE_HOURS: number = 12;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) REAUTH_WINDOW_MINUTES: number = 15;
  @IsOptional() @Type(() => Number) @IsInt() @Min(10) @Max(60000) LAST_USED_FLUSH_MS: number = 1000;
  @IsOptional()
  @Matches(/^\s*(\d{1,3}\s*(,\s*\d{1,3}\s*)*)?$/, {
    message: 'TOKEN_EXPIRY_REMINDER_DAYS must be comma-separated whole days (e.g. 7,1), or empty',
  })
  TOKEN_EXPIRY_REMINDER_DAYS: string = '7,1';
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(100)
  BOOTSTRAP_ORG_NAME?: string;
  @IsOptional() @Transform(emptyToUndefined) @IsEmail() BOOTSTRAP_ADMIN_EMAIL?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(12, { message: 'BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters' })
  BOOTSTRAP_ADMIN_PASSWORD?: string;
  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(32, {
    message: 'SSO_SECRET_KEY must be at least 32 characters (e.g. openssl rand -base64 32)',
  })
  SSO_SECRET_KEY?: string;
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

/**
 * The variable names, read from the decorators above so that declaring a variable is the only
 * edit: loadConfig picks exactly these from the environment and the .env.example test checks them.
 */
export const ENV_VARIABLES: readonly (keyof EnvVars)[] = [
  ...new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(EnvVars, '', true, false)
      .map((metadata) => metadata.propertyName as keyof EnvVars),
  ),
];
