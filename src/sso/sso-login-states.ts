import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import { randomSecret, safeEqual, sha256Hex } from '../common/crypto';
import { SsoErrorCode, SsoException } from './sso.errors';
import { SsoLoginState } from './sso-login-state.entity';
import { SsoSecretBox } from './sso-secret-box';

export const SSO_STATE_TTL_MS = 10 * 60_000;
const STATE_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

export interface NewLoginState {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** Goes into the binding cookie; only its hash is stored. */
  browserBinding: string;
}

export interface PendingLogin {
  organizationId: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

const verifierContext = (stateHash: string) => `sso_login_state:${stateHash}`;

const invalid = () =>
  new SsoException(
    SsoErrorCode.StateInvalid,
    'This sign-in link is unknown, was already used, or was started in another browser; start again.',
  );

/**
 * Pending SSO logins. A state is bound to the browser that started it (the binding cookie), so
 * a callback URL planted in someone else's browser cannot sign them in to the attacker's
 * account (login CSRF), and it is good exactly once.
 */
@Injectable()
export class SsoLoginStates {
  constructor(
    private readonly em: EntityManager,
    private readonly box: SsoSecretBox,
  ) {}

  async create(organizationId: string, values: Omit<NewLoginState, 'browserBinding'>) {
    const browserBinding = randomSecret();
    const stateHash = sha256Hex(values.state);
    const now = new Date();
    // Abandoned logins are swept here, by the next one (the expires_at index keeps it cheap).
    await this.em.nativeDelete(SsoLoginState, { expiresAt: { $lt: now } });
    this.em.create(SsoLoginState, {
      stateHash,
      organizationId,
      browserHash: sha256Hex(browserBinding),
      codeVerifierEncrypted: await this.box.seal(values.codeVerifier, verifierContext(stateHash)),
      nonce: values.nonce,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SSO_STATE_TTL_MS),
    });
    await this.em.flush();
    return { ...values, browserBinding };
  }

  /** Takes the pending login for `state` (deleting it) if this browser started it. */
  async consume(state: unknown, browserBinding: string | undefined): Promise<PendingLogin> {
    if (typeof state !== 'string' || !STATE_SHAPE.test(state) || !browserBinding) throw invalid();
    const stateHash = sha256Hex(state);
    const pending = await this.em.findOne(SsoLoginState, { stateHash });
    if (!pending || !safeEqual(pending.browserHash, sha256Hex(browserBinding))) throw invalid();
    // Whoever deletes the row owns the login; a concurrent replay deletes nothing.
    if ((await this.em.nativeDelete(SsoLoginState, { stateHash })) !== 1) throw invalid();
    this.em.getUnitOfWork().unsetIdentity(pending);
    if (pending.expiresAt.getTime() <= Date.now()) {
      throw new SsoException(
        SsoErrorCode.StateExpired,
        'The sign-in took longer than 10 minutes; start again.',
      );
    }
    const codeVerifier = await this.box.open(
      pending.codeVerifierEncrypted,
      verifierContext(stateHash),
    );
    if (codeVerifier === null) throw invalid();
    return { organizationId: pending.organizationId, state, nonce: pending.nonce, codeVerifier };
  }
}
