import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/app-config';
import { isNodeError } from '../common/errors/node-error';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Creates the key file exactly once, even when several processes start together on one DATA_DIR:
 * the key is written to a private temporary file which is then hard-linked into place, and
 * link() fails with EEXIST for everyone but the first. Nobody ever reads a half-written key.
 */
async function readOrCreateKeyFile(path: string, logger: Logger): Promise<Buffer> {
  // The key file itself is 0600; DATA_DIR stays traversable (the embedded PostgreSQL lives there).
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  try {
    await link(temporary, path);
    logger.log({ path }, 'Created the SSO secrets key file (set SSO_SECRET_KEY to use your own)');
  } catch (error) {
    if (!isNodeError(error) || error.code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const material = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
  if (material.length < 32) {
    throw new ConfigError([`${path} must hold a base64url key of 32 bytes; delete it or fix it`]);
  }
  return material;
}

/**
 * AES-256-GCM for the few secrets Keyhold must be able to read back (SSO client secrets, PKCE
 * verifiers). The key is derived (HKDF-SHA256) from SSO_SECRET_KEY, or, when that is unset, from
 * a random key created once in DATA_DIR/sso.key (mode 600) so that nothing needs configuring.
 * Each ciphertext is bound to a context string (the row it belongs to) as associated data, so
 * it cannot be copied to another row.
 */
@Injectable()
export class SsoSecretBox implements OnModuleInit {
  private readonly logger = new Logger('SsoSecretBox');
  private keyPromise?: Promise<Buffer>;

  constructor(private readonly config: AppConfig) {}

  /** Loads (or creates) the key at start, so a broken key file stops the start, not a login. */
  async onModuleInit(): Promise<void> {
    await this.key();
  }

  private key(): Promise<Buffer> {
    this.keyPromise ??= (async () => {
      const { secretKey, keyFile } = this.config.sso;
      const material = secretKey
        ? Buffer.from(secretKey, 'utf8')
        : await readOrCreateKeyFile(keyFile, this.logger);
      return Buffer.from(hkdfSync('sha256', material, 'keyhold', 'keyhold sso secrets v1', 32));
    })();
    return this.keyPromise;
  }

  async seal(plaintext: string, context: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or null when the value was sealed with another key or context, or altered. */
  async open(sealed: string, context: string): Promise<string | null> {
    const [version, iv, tag, ciphertext, extra] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined || extra !== undefined) {
      return null;
    }
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        await this.key(),
        Buffer.from(iv, 'base64url'),
      );
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]);
      return plaintext.toString('utf8');
    } catch {
      return null;
    }
  }
}
