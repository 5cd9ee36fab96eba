/** How the token came to exist: created on the profile API or obtained from `api-token-auth`. */
export type TokenChannel = 'profile' | 'api_token_auth';

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
}

export interface TokenRevokedMail extends TokenCreatedMail {
  revokedBy: RevokedBy;
}

export type TokenMailKind = 'token_created' | 'token_revoked';
export type MailKind = TokenMailKind | 'password_changed';

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

/** The template fields as stored in `mail_outbox.payload` (JSON, so the time is ISO text). */
export interface TokenMailPayload {
  ownerName: string;
  tokenName: string;
  preview: string;
  at: string;
  ip: string;
  userAgent: string;
  channel: TokenChannel;
  revokedBy?: RevokedBy;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}
