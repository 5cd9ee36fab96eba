import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { isPlainEmail } from '../common/email';
import { scrubSecrets } from '../common/secrets';
import { OUTBOX_CHANNEL } from './mail-outbox';
import { MailWorker } from './mail.worker';
import type {
  MailKind,
  OutboxPayload,
  PasswordChangedMail,
  TokenCreatedMail,
  TokenExpiryMail,
  TokenMailPayload,
  TokenNewIpMail,
  TokenRevokedMail,
  TokenRotatedMail,
  TokensRevokedAllMail,
} from './mail.types';
import { OutboxMessage } from './outbox-message.entity';

// One plain address: no display name, list, comment or whitespace that an address parser
// could turn into more recipients.

/**
 * Queues the token notifications of SPEC §7. Enqueueing only inserts an outbox row with the
 * caller's EntityManager, so inside `em.transactional(...)` the mail commits or rolls back with
 * the token change; SMTP is never contacted here (MailWorker delivers).
 */
@Injectable()
export class MailService {
  private readonly logger = new Logger('MailService');
  constructor(
    private readonly em: EntityManager,
    private readonly worker: MailWorker,
  ) {}

  enqueueTokenCreated(input: TokenCreatedMail): Promise<void> {
    return this.enqueue('token_created', input, this.payloadOf(input));
  }

  enqueueTokenRevoked(input: TokenRevokedMail): Promise<void> {
    const revokedBy =
      input.revokedBy.kind === 'superuser'
        ? { kind: 'superuser' as const, name: scrubSecrets(input.revokedBy.name) }
        : { kind: input.revokedBy.kind };
    return this.enqueue('token_revoked', input, { ...this.payloadOf(input), revokedBy });
  }

  enqueuePasswordChanged(input: PasswordChangedMail): Promise<void> {
    return this.enqueue('password_changed', input, {
      ownerName: scrubSecrets(input.ownerName),
      at: input.at.toISOString(),
      ip: scrubSecrets(input.ip),
      userAgent: scrubSecrets(input.userAgent),
      by: input.by,
    });
  }

  enqueueTokenRotated(input: TokenRotatedMail): Promise<void> {
    return this.enqueue('token_rotated', input, {
      ...this.payloadOf(input),
      newPreview: scrubSecrets(input.newPreview),
      oldExpiresAt: input.oldExpiresAt.toISOString(),
      newExpiresAt: input.newExpiresAt?.toISOString() ?? null,
    });
  }

  /** A reminder (`daysLeft` > 0) or the expiry notice (`daysLeft` 0). */
  enqueueTokenExpiry(input: TokenExpiryMail): Promise<void> {
    return this.enqueue(input.daysLeft > 0 ? 'token_expiring' : 'token_expired', input, {
      ...this.payloadOf(input),
      daysLeft: input.daysLeft,
      lastUsedAt: input.lastUsedAt?.toISOString() ?? null,
    });
  }

  enqueueTokenNewIp(input: TokenNewIpMail): Promise<void> {
    return this.enqueue('token_new_ip', input, this.payloadOf(input));
  }

  enqueueTokensRevokedAll(input: TokensRevokedAllMail): Promise<void> {
    return this.enqueue('tokens_revoked_all', input, {
      ...this.payloadOf(input),
      revokedBy: { kind: 'superuser', name: scrubSecrets(input.revokerName) },
      tokens: input.tokens.map((token) => ({
        name: scrubSecrets(token.name),
        preview: scrubSecrets(token.preview),
      })),
    });
  }

  private payloadOf(input: TokenCreatedMail): TokenMailPayload {
    // Scrubbed again here: a raw token pasted into any field must not be stored or mailed.
    return {
      ownerName: scrubSecrets(input.ownerName),
      tokenName: scrubSecrets(input.tokenName),
      preview: scrubSecrets(input.preview),
      at: input.at.toISOString(),
      ip: scrubSecrets(input.ip),
      userAgent: scrubSecrets(input.userAgent),
      channel: input.channel,
      ...(input.access ? { access: input.access } : {}),
    };
  }

  private async enqueue(kind: MailKind, input: { to: string }, payload: OutboxPayload) {
    const to = input.to.trim();
    // Never fail the token change over its notification: an unusable address is kept as failed.
    const deliverable = isPlainEmail(to);
    if (!deliverable) {
      this.logger.error({ kind }, 'Notification not sent: the owner has no plain email address');
    }
    await this.em.insert(OutboxMessage, {
      id: randomUUID(),
      kind,
      recipient: to.slice(0, 254),
      payload,
      status: deliverable ? 'pending' : 'failed',
      attempts: 0,
      ...(deliverable ? {} : { lastError: 'recipient is not one plain email address' }),
    });
    if (!deliverable) return;
    // Delivered when (and only if) the enqueuing transaction commits: other instances' workers
    // wake on it instead of polling; this instance's worker is kicked after the commit directly.
    await this.em.execute('select pg_notify(?, ?)', [OUTBOX_CHANNEL, '']);
    this.worker.enqueued(this.em.getTransactionContext<object>());
  }
}
