import type {
  MailKind,
  OutboxPayload,
  PasswordChangedPayload,
  RenderedMail,
  RevokedBy,
  TokenChannel,
  TokenMailKind,
  TokenMailPayload,
} from './mail.types';

/** Fixed subjects: user-supplied text (token names) never reaches a header. */
export const MAIL_SUBJECTS: Record<MailKind, string> = {
  token_created: 'A personal API token was created on your Keyhold account',
  token_revoked: 'A personal API token was revoked on your Keyhold account',
  password_changed: 'The password of your Keyhold account was changed',
};

export const IF_NOT_YOU_CREATED =
  "If this wasn't you, revoke the token and contact your organization superuser.";
// The token is already dead; what is left to do is to check the rest and raise the alarm.
export const IF_NOT_YOU_REVOKED =
  "If this wasn't you, review your other tokens and contact your organization superuser.";

// C0/C1 controls, line/paragraph separators and bidi overrides: a name or user agent must not
// start new lines in the text part or visually reorder what follows it.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of untrusted text: controls become spaces, bidi marks go, length is bounded. */
export function oneLine(value: string, maxChars: number): string {
  const cleaned = value.replace(CONTROL, ' ').replace(BIDI, '');
  const chars = Array.from(cleaned);
  return chars.length > maxChars ? `${chars.slice(0, maxChars).join('')}…` : cleaned;
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** "Mon, 23 Nov 2026 10:00:00 UTC": fixed English, independent of the server's locale. */
export function humanUtc(at: Date): string {
  return at.toUTCString().replace(/GMT$/, 'UTC');
}

const CHANNELS: Record<TokenChannel, string> = {
  profile: 'your profile (web app or profile API)',
  api_token_auth: 'the api-token-auth endpoint (sign-in with email and password)',
};

function revokedByLabel(by: RevokedBy | undefined): string {
  switch (by?.kind) {
    case 'superuser':
      return `${oneLine(by.name, 100)}, an organization superuser`;
    case 'leak_report':
      return 'Keyhold, automatically, because the token was reported as publicly exposed';
    default:
      return 'you';
  }
}

type Row = [label: string, value: string];

function rowsFor(kind: TokenMailKind, payload: TokenMailPayload): Row[] {
  const at = new Date(payload.at);
  const verb = kind === 'token_created' ? 'Created' : 'Revoked';
  const rows: Row[] = [
    ['Token name', oneLine(payload.tokenName, 200)],
    ['Token', oneLine(payload.preview, 40)],
    [`${verb} at`, `${at.toISOString()} (${humanUtc(at)})`],
    ['IP address', oneLine(payload.ip, 64)],
    ['User agent', oneLine(payload.userAgent, 512) || '(none)'],
    [
      kind === 'token_created' ? 'Created through' : 'Token created through',
      CHANNELS[payload.channel],
    ],
  ];
  if (kind === 'token_revoked') rows.push(['Revoked by', revokedByLabel(payload.revokedBy)]);
  return rows;
}

export const IF_NOT_YOU_PASSWORD =
  "If this wasn't you, contact your organization superuser at once: your account may be in someone else's hands.";

/** Builds the text and HTML bodies; every user-supplied value is escaped in the HTML part. */
export function renderMail(kind: TokenMailKind, payload: TokenMailPayload): RenderedMail {
  const lead =
    kind === 'token_created'
      ? 'A new personal API token was created on your Keyhold account.'
      : 'One of your personal API tokens was revoked; it no longer works.';
  const advice = kind === 'token_created' ? IF_NOT_YOU_CREATED : IF_NOT_YOU_REVOKED;
  return layout(kind, payload.ownerName, lead, rowsFor(kind, payload), advice);
}

function renderPasswordChanged(payload: PasswordChangedPayload): RenderedMail {
  const at = new Date(payload.at);
  const lead =
    payload.by === 'operator'
      ? 'The password of your Keyhold account was reset by an operator; your sessions were ended.'
      : 'The password of your Keyhold account was changed; your other sessions were ended.';
  const rows: Row[] = [
    ['Changed at', `${at.toISOString()} (${humanUtc(at)})`],
    ['IP address', oneLine(payload.ip, 64)],
    ['User agent', oneLine(payload.userAgent, 512) || '(none)'],
  ];
  return layout('password_changed', payload.ownerName, lead, rows, IF_NOT_YOU_PASSWORD);
}

/** Any outbox message, by its kind. */
export function renderOutboxMail(kind: MailKind, payload: OutboxPayload): RenderedMail {
  return kind === 'password_changed'
    ? renderPasswordChanged(payload as PasswordChangedPayload)
    : renderMail(kind, payload as TokenMailPayload);
}

function layout(
  kind: MailKind,
  ownerName: string,
  lead: string,
  rows: Row[],
  advice: string,
): RenderedMail {
  const owner = oneLine(ownerName, 100);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const text = [
    `Hello ${owner},`,
    '',
    lead,
    '',
    ...rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value}`),
    '',
    advice,
    '',
    '-- ',
    'Keyhold',
    '',
  ].join('\n');
  const cell = 'padding:4px 12px 4px 0;vertical-align:top;text-align:left';
  const html = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"></head>',
    '<body style="font-family:sans-serif;color:#222">',
    `<p>Hello ${escapeHtml(owner)},</p>`,
    `<p>${escapeHtml(lead)}</p>`,
    '<table style="border-collapse:collapse">',
    ...rows.map(
      ([label, value]) =>
        `<tr><th style="${cell}">${escapeHtml(label)}</th><td style="${cell}">${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    `<p><strong>${escapeHtml(advice)}</strong></p>`,
    '<p style="color:#666">Keyhold</p>',
    '</body></html>',
    '',
  ].join('\n');
  return { subject: MAIL_SUBJECTS[kind], text, html };
}
