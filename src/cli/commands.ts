import { randomSecret } from '../common/crypto';
import { parseArgs } from 'node:util';
import { MikroORM, RequestContext } from '@mikro-orm/postgresql';
import { INestApplicationContext } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { organizationNotFound } from '../common/access/organization-scope';
import { OrganizationsService } from '../organizations/organizations.service';
import { ALL_PERMISSIONS, Permission } from '../common/access/permission';
import { SsoService } from '../sso/sso.service';
import { AuthMethod } from '../common/access/auth-method';
import { UsersService } from '../users/users.service';
import { processSecretInput, SecretInput, secretOption } from './secret-input';
import { UsageError } from './usage-error';
import { userResetPassword } from './reset-password.command';
import { cliRequestMeta } from './cli-request-meta';

export { UsageError };

export const USAGE = `Usage: npm run cli -- <command> [options]
  migrate
  org:create --name <name> [--slug <slug>] --admin-email <email> [--admin-password -]
  user:add --org <slug> --email <email> [--name <name>] [--password - | --sso] [--superuser] [--grant api_tokens.manage]
  user:reset-password --email <email> [--password-stdin]   (else a generated password is printed)
  org:token-lifetime --org <slug> --max-days <days|none>
  org:sso --org <slug> --issuer <url> --client-id <id> --client-secret - [--allow-domain <domain>]...

Secrets are never taken from the command line: "-" reads one line from stdin, or set
KEYHOLD_ADMIN_PASSWORD (org:create), KEYHOLD_USER_PASSWORD (user:add) or
KEYHOLD_SSO_CLIENT_SECRET (org:sso). org:create without a password prints a generated one.`;

function inTransaction<T>(app: INestApplicationContext, work: () => Promise<T>): Promise<T> {
  return app.get(MikroORM).em.transactional(work);
}

type Result = Record<string, unknown>;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`--${name} is required`);
  return value;
}

type Command = (
  app: INestApplicationContext,
  args: string[],
  input: SecretInput,
) => Promise<Result>;

const orgCreate: Command = async (app, args, input) => {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      slug: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
    },
  });
  const given = await secretOption(
    values['admin-password'],
    'admin-password',
    'KEYHOLD_ADMIN_PASSWORD',
    input,
  );
  const generated = given === undefined;
  const password = given ?? randomSecret(18);
  const { organization, admin } = await inTransaction(app, async () => {
    const created = await app.get(OrganizationsService).createWithAdmin({
      name: required(values, 'name'),
      slug: values.slug,
      adminEmail: required(values, 'admin-email'),
      adminPassword: password,
    });
    await app.get(AuditService).recordNewMember(created.admin, cliRequestMeta(), 'cli');
    return created;
  });
  return {
    action: 'org:create',
    organization: { id: organization.id, slug: organization.slug, name: organization.name },
    admin: {
      id: admin.user.id,
      email: admin.user.email,
      isSuperuser: true,
      permissions: admin.permissions,
    },
    ...(generated ? { generatedPassword: password } : {}),
  };
};

async function findOrganization(app: INestApplicationContext, slug: string) {
  const organization = await app.get(OrganizationsService).findBySlug(slug);
  if (!organization) {
    throw organizationNotFound(`No organization "${slug}".`);
  }
  return organization;
}

const userAdd: Command = async (app, args, input) => {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      sso: { type: 'boolean', default: false },
      superuser: { type: 'boolean', default: false },
      grant: { type: 'string', multiple: true, default: [] },
    },
  });
  if (values.sso && values.password)
    throw new UsageError('--password and --sso exclude each other');
  const password = values.sso
    ? undefined
    : await secretOption(values.password, 'password', 'KEYHOLD_USER_PASSWORD', input);
  if (!values.sso && !password) {
    throw new UsageError('give --password - (read from stdin), KEYHOLD_USER_PASSWORD, or --sso');
  }
  const unknown = values.grant.filter((key) => !ALL_PERMISSIONS.includes(key as Permission));
  if (unknown.length > 0) throw new UsageError(`unknown permission: ${unknown.join(', ')}`);
  const organization = await findOrganization(app, required(values, 'org'));
  const member = await inTransaction(app, async () => {
    const added = await app.get(UsersService).addMember({
      organizationId: organization.id,
      email: required(values, 'email'),
      name: values.name,
      authMethod: values.sso ? AuthMethod.Sso : AuthMethod.Password,
      password,
      isSuperuser: values.superuser,
      permissions: values.grant,
    });
    await app.get(AuditService).recordNewMember(added, cliRequestMeta(), 'cli');
    return added;
  });
  return {
    action: 'user:add',
    user: {
      id: member.user.id,
      email: member.user.email,
      name: member.user.name,
      organization: organization.slug,
      authMethod: member.authMethod,
      isSuperuser: member.isSuperuser,
      permissions: member.permissions,
    },
  };
};

/** Sets or clears the organization's maximum token lifetime (SPEC §2). */
const orgTokenLifetime: Command = async (app, args) => {
  const { values } = parseArgs({
    args,
    options: { org: { type: 'string' }, 'max-days': { type: 'string' } },
  });
  const raw = required(values, 'max-days');
  const days = raw === 'none' ? null : Number(raw);
  const organization = await app
    .get(OrganizationsService)
    .setMaxTokenLifetime(required(values, 'org'), days);
  return {
    action: 'org:token-lifetime',
    organization: { id: organization.id, slug: organization.slug },
    maxTokenLifetimeDays: organization.maxTokenLifetimeDays,
  };
};

/** Points an organization at its identity provider; the output never contains the secret. */
const orgSso: Command = async (app, args, input) => {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'allow-domain': { type: 'string', multiple: true, default: [] },
    },
  });
  const clientSecret = await secretOption(
    values['client-secret'],
    'client-secret',
    'KEYHOLD_SSO_CLIENT_SECRET',
    input,
  );
  if (!clientSecret) {
    throw new UsageError('give --client-secret - (read from stdin) or KEYHOLD_SSO_CLIENT_SECRET');
  }
  const organization = await findOrganization(app, required(values, 'org'));
  const sso = await app.get(SsoService).configure(organization.id, {
    issuer: required(values, 'issuer'),
    clientId: required(values, 'client-id'),
    clientSecret,
    allowedEmailDomains: values['allow-domain'],
  });
  return { action: 'org:sso', organization: { id: organization.id, slug: organization.slug }, sso };
};

const COMMANDS: Record<string, Command> = {
  'org:create': orgCreate,
  'user:add': userAdd,
  'org:sso': orgSso,
  'org:token-lifetime': orgTokenLifetime,
  'user:reset-password': (app, args, input) =>
    userResetPassword(app, args, () => input.readStdin()),
};

/** The usage line(s) of one command, for `<command> --help`. */
export function usageOf(name: string): string {
  const lines = USAGE.split('\n').filter((line) => line.trim().split(' ')[0] === name);
  return `Usage: npm run cli -- ${lines.map((line) => line.trim()).join('\n       npm run cli -- ')}`;
}

export function isKnownCommand(name: string): boolean {
  return name in COMMANDS || name === 'migrate';
}

/** Runs one command in its own EntityManager context (outside any request). */
export async function runCommand(
  app: INestApplicationContext,
  name: string,
  args: string[],
  input: SecretInput = processSecretInput,
): Promise<Result> {
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`${name} is not available yet`);
  const orm = app.get(MikroORM);
  return RequestContext.create(orm.em.fork(), () => command(app, args, input));
}
