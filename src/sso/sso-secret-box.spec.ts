import 'reflect-metadata';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../config/app-config';
import { SsoSecretBox } from './sso-secret-box';

describe('SsoSecretBox', () => {
  let dir: string;
  const boxFor = (env: Record<string, string> = {}) =>
    new SsoSecretBox(loadConfig({ DATA_DIR: dir, ...env }));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyhold-sso-box-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('with nothing configured, creates DATA_DIR/sso.key once (mode 600) and reuses it', async () => {
    const first = boxFor();
    await first.onModuleInit();
    const keyFile = join(dir, 'sso.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = await readFile(keyFile, 'utf8');
    const sealed = await first.seal('client-secret', 'org:1');
    expect(sealed).not.toContain('client-secret');

    const restarted = boxFor();
    await restarted.onModuleInit();
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(await restarted.open(sealed, 'org:1')).toBe('client-secret');
  });

  it('processes starting together end up with one key', async () => {
    const boxes = Array.from({ length: 6 }, () => boxFor());
    await Promise.all(boxes.map((box) => box.onModuleInit()));
    const sealed = await boxes[0].seal('shared', 'ctx');
    for (const box of boxes) expect(await box.open(sealed, 'ctx')).toBe('shared');
  });

  it('uses SSO_SECRET_KEY when set (no key file), and another key cannot open it', async () => {
    const configured = boxFor({ SSO_SECRET_KEY: 'k'.repeat(40) });
    await configured.onModuleInit();
    await expect(stat(join(dir, 'sso.key'))).rejects.toMatchObject({ code: 'ENOENT' });
    const sealed = await configured.seal('secret', 'ctx');
    expect(await boxFor({ SSO_SECRET_KEY: 'k'.repeat(40) }).open(sealed, 'ctx')).toBe('secret');
    expect(await boxFor({ SSO_SECRET_KEY: 'j'.repeat(40) }).open(sealed, 'ctx')).toBeNull();
    expect(await boxFor().open(sealed, 'ctx')).toBeNull();
  });

  it('binds a ciphertext to its context and detects tampering', async () => {
    const box = boxFor();
    const sealed = await box.seal('secret', 'organization_sso:a');
    expect(await box.open(sealed, 'organization_sso:b')).toBeNull();
    const [version, iv, tag, data] = sealed.split('.');
    const flipped = Buffer.from(data, 'base64url');
    flipped[0] ^= 1;
    expect(
      await box.open(
        [version, iv, tag, flipped.toString('base64url')].join('.'),
        'organization_sso:a',
      ),
    ).toBeNull();
    expect(await box.open('not-a-ciphertext', 'organization_sso:a')).toBeNull();
    expect(await box.open(sealed, 'organization_sso:a')).toBe('secret');
  });

  it('refuses to start on a damaged key file', async () => {
    await writeFile(join(dir, 'sso.key'), 'short\n', { mode: 0o600 });
    await expect(boxFor().onModuleInit()).rejects.toBeInstanceOf(ConfigError);
  });

  it('rejects an SSO_SECRET_KEY shorter than 32 characters at start', () => {
    expect(() => loadConfig({ SSO_SECRET_KEY: 'too-short' })).toThrow(/SSO_SECRET_KEY/);
  });
});
