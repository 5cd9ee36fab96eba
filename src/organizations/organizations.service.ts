import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { Permission } from '../common/access/permission';
import { Membership } from '../users/membership.entity';
import { AuthMethod } from '../common/access/auth-method';
import { UsersService } from '../users/users.service';
import { Organization } from './organization.entity';
import { organizationNotFound } from '../common/access/organization-scope';
import { OrganizationsErrorCode, OrganizationsException } from './organizations.errors';

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

export interface OrganizationSummary {
  id: string;
  slug: string;
  name: string;
}

// GET /me shows the organization on every call; names and slugs never change through the API,
// so a minute's cache keeps that read off the hot path.
const SUMMARY_TTL_MS = 60_000;
const summaries = new Map<string, { summary: OrganizationSummary; at: number }>();

export interface NewOrganization {
  name: string;
  slug?: string;
  adminEmail: string;
  adminName?: string;
  adminPassword: string;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly em: EntityManager,
    private readonly users: UsersService,
  ) {}

  count(): Promise<number> {
    return this.em.count(Organization);
  }

  findById(id: string): Promise<Organization | null> {
    return this.em.findOne(Organization, { id });
  }

  /**
   * Id, slug and name, as other modules show them; 404 when the organization is gone.
   * Synchronous when cached (GET /me on the hot path); a promise when it must be read.
   */
  getSummary(id: string): OrganizationSummary | Promise<OrganizationSummary> {
    const cached = summaries.get(id);
    if (cached && Date.now() - cached.at < SUMMARY_TTL_MS) return cached.summary;
    return this.findById(id).then((organization) => {
      if (!organization) {
        throw organizationNotFound();
      }
      const { id: orgId, slug, name } = organization;
      const summary = Object.freeze({ id: orgId, slug, name });
      summaries.set(id, { summary, at: Date.now() });
      return summary;
    });
  }

  /** The organization's rule for new tokens (SPEC §2: an organization may cap their lifetime). */
  async maxTokenLifetimeDays(id: string): Promise<number | null> {
    const organization = await this.findById(id);
    return organization?.maxTokenLifetimeDays ?? null;
  }

  async setMaxTokenLifetime(slug: string, days: number | null): Promise<Organization> {
    const organization = await this.findBySlug(slug);
    if (!organization) {
      throw organizationNotFound(`No organization "${slug}".`);
    }
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 3650)) {
      throw new OrganizationsException(
        OrganizationsErrorCode.InvalidTokenLifetime,
        'The maximum token lifetime is a whole number of days from 1 to 3650, or none.',
      );
    }
    organization.maxTokenLifetimeDays = days;
    await this.em.flush();
    return organization;
  }

  findBySlug(slug: string): Promise<Organization | null> {
    return this.em.findOne(Organization, { slug });
  }

  /** Creates an organization and its first superuser, who holds `api_tokens.manage`. */
  async createWithAdmin(
    input: NewOrganization,
  ): Promise<{ organization: Organization; admin: Membership }> {
    const slug = input.slug ?? slugify(input.name);
    if (!SLUG.test(slug)) {
      throw new OrganizationsException(
        OrganizationsErrorCode.InvalidSlug,
        'A slug is 1-63 lowercase letters, digits and inner hyphens.',
      );
    }
    const slugTaken = () =>
      new OrganizationsException(OrganizationsErrorCode.SlugTaken, `The slug "${slug}" is taken.`);
    return this.em.transactional(async () => {
      if (await this.findBySlug(slug)) throw slugTaken();
      const organization = this.em.create(Organization, {
        name: input.name.trim(),
        slug,
        createdAt: new Date(),
      });
      await this.em.flush().catch((error: unknown) => {
        // Created concurrently under the same slug: the unique index decides.
        if (error instanceof UniqueConstraintViolationException) throw slugTaken();
        throw error;
      });
      const admin = await this.users.addMember({
        organizationId: organization.id,
        email: input.adminEmail,
        name: input.adminName,
        authMethod: AuthMethod.Password,
        password: input.adminPassword,
        isSuperuser: true,
        permissions: [Permission.ManageApiTokens],
      });
      return { organization, admin };
    });
  }
}
