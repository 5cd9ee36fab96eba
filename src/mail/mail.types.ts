import type { TokenAccess, TokenChannel } from '../common/access/token-kinds';

export type RevokedBy =
  { kind: 'owner' } | { kind: 'superuser'; name: string } | { kind: 'leak_report' };

/** What the tokens module passes; never the raw token, only its preview. */
export interface TokenCreatedMail {
  /** The owner's stored email address: the only source of recipients. */
  to: string;
  ownerName: string;
  tokenName: string;
  preview: string;
  at: Date;
  ip: string;
  userAgent: string;
  channel: TokenChannel;
  access?: TokenAccess;
}

export interface TokenRevokedMail extends TokenCreatedMail {
  revokedBy: RevokedBy;
}

/** The old token (`preview`) was replaced by `newPreview`; the old one works until `oldExpiresAt`. */
export interface TokenRotatedMail extends TokenCreatedMail {
  newPreview: string;
  oldExpiresAt: Date;
  newExpiresAt: Date | null;
}

/** A password change: by the person themselves (session) or reset by an operator (CLI). */
export interface PasswordChangedMail {
  to: string;
  ownerName: string;
  at: Date;
  ip: string;
  userAgent: string;
  by: 'self' | 'operator';
}

/** `mail_outbox.payload` of a password_changed message. */
export interface PasswordChangedPayload {
  ownerName: string;
  at: string;
  ip: string;
  userAgent: string;
  by: 'self' | 'operator';
}

export type OutboxPayload = TokenMailPayload | PasswordChangedPayload;

/** A reminder before expiry (`daysLeft` > 0) or the expiry notice (`daysLeft` 0). `at`: expiry. */
export interface TokenExpiryMail extends TokenCreatedMail {
  daysLeft: number;
  lastUsedAt: Date | null;
}

/** `ip` is the new address; `at` when it was first seen. */
export type TokenNewIpMail = TokenCreatedMail;

/** A superuser revoked every token of the member at once. */
export interface TokensRevokedAllMail extends TokenCreatedMail {
  revokerName: string;
  tokens: { name: string; preview: string }[];
}

export type TokenMailKind =
  | 'token_created'
  | 'token_revoked'
  | 'token_rotated'
  | 'token_expiring'
  | 'token_expired'
  | 'token_new_ip'
  | 'tokens_revoked_all';
export type MailKind = TokenMailKind | 'password_changed';

/** The template fields as stored in `mail_outbox.payload` (JSON, so times are ISO text). */
export interface TokenMailPayload {
  ownerName: string;
  tokenName: string;
  preview: string;
  at: string;
  ip: string;
  userAgent: string;
  channel: TokenChannel;
  access?: TokenAccess;
  revokedBy?: RevokedBy;
  newPreview?: string;
  oldExpiresAt?: string;
  newExpiresAt?: string | null;
  daysLeft?: number;
  lastUsedAt?: string | null;
  tokens?: { name: string; preview: string }[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
