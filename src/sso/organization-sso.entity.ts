import { ArrayType, Entity, OneToOne, Property } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';

/** An organization's OpenID Connect provider; the client secret is stored only encrypted. */
@Entity({ tableName: 'organization_sso' })
export class OrganizationSso {
  @OneToOne(() => Organization, {
    primary: true,
    mapToPk: true,
    fieldName: 'organization_id',
    foreignKeyName: 'organization_sso_organization_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  organizationId!: string;

  @Property({ type: 'text' })
  issuer!: string;

  @Property({ type: 'text' })
  clientId!: string;

  /** SsoSecretBox ciphertext, bound to the organization id. */
  @Property({ type: 'text', hidden: true })
  clientSecretEncrypted!: string;

  @Property({ type: ArrayType, columnType: 'text[]', defaultRaw: `'{}'` })
  allowedEmailDomains: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
