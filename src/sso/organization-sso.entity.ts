import { ArrayType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** An organization's OpenID Connect provider; the client secret is stored only encrypted. */
@Entity({ tableName: 'organization_sso' })
export class OrganizationSso {
  @PrimaryKey({ type: 'uuid' })
  organizationId!: string;

  @Property({ type: 'text' })
  issuer!: string;

  @Property({ type: 'text' })
  clientId!: string;

  /** SsoSecretBox ciphertext, bound to the organization id. */
  @Property({ type: 'text', hidden: true })
  clientSecretEncrypted!: string;

  @Property({ type: ArrayType, columnType: 'text[]' })
  allowedEmailDomains: string[] = [];

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt: Date = new Date();
}
