import { Entity, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Organization } from '../organizations/organization.entity';

/** A login between /start and /callback; see Migration20261123000400Sso for why a table. */
@Entity({ tableName: 'sso_login_state' })
export class SsoLoginState {
  /** SHA-256 of the `state` parameter, which itself is never stored. */
  @PrimaryKey({ type: 'string', length: 64 })
  stateHash!: string;

  @ManyToOne(() => Organization, {
    mapToPk: true,
    fieldName: 'organization_id',
    foreignKeyName: 'sso_login_state_organization_id_fkey',
    deleteRule: 'cascade',
    updateRule: 'no action',
  })
  organizationId!: string;

  /** SHA-256 of the binding cookie set on the browser that started the login. */
  @Property({ type: 'string', length: 64 })
  browserHash!: string;

  /** PKCE verifier, encrypted (SsoSecretBox, bound to the state hash). */
  @Property({ type: 'text', hidden: true })
  codeVerifierEncrypted!: string;

  @Property({ type: 'text' })
  nonce!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', index: true })
  expiresAt!: Date;
}
