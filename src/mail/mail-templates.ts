import { TokenAccess, TokenChannel } from '../common/access/token-kinds';
import { flattenText } from '../common/text';
import type {
  MailKind,
  OutboxPayload,
  PasswordChangedPayload,
  RenderedMail,
  RevokedBy,
  TokenMailKind,
  TokenMailPayload,
} from './mail.types';

/** Fixed subjects: user-supplied text (token names) never reaches a header. */
export const MAIL_SUBJECTS: Record<MailKind, string> = {
  token_created: 'A personal API token was created on your Keyhold account',
  token_revoked: 'A personal API token was revoked on your Keyhold account',
  token_rotated: 'A personal API token was rotated on your Keyhold account',
  token_expiring: 'A personal API token on your Keyhold account expires soon',
  token_expired: 'A personal API token on your Keyhold account has expired',
  token_new_ip: 'A personal API token was used from a new IP address',
  tokens_revoked_all: 'All your personal API tokens on Keyhold were revoked',
  password_changed: 'The password of your Keyhold account was changed',
};

export const IF_NOT_YOU_CREATED =
  "If this wasn't you, revoke the token and contact your organization superuser.";
// The token is already dead; what is left to do is to check the rest and raise the alarm.
export const IF_NOT_YOU_REVOKED =
  "If this wasn't you, review your other tokens and contact your organization superuser.";

/**
 * One line of untrusted text: controls become spaces and bidi marks go (a name or user agent
 * must not start new lines in the text part or visually reorder what follows it), length is
 * bounded.
 */
export function oneLine(value: string, maxChars: number): string {
  const cleaned = flattenText(value);
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
  [TokenChannel.Profile]: 'your profile (web app or profile API)',
  [TokenChannel.ApiTokenAuth]: 'the api-token-auth endpoint (sign-in with email and password)',
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

const ACCESS: Record<TokenAccess, string> = {
  [TokenAccess.ReadWrite]: 'read and write (every request your account may make)',
  [TokenAccess.ReadOnly]: 'read-only (GET requests only)',
};

export const IF_NOT_YOU_ROTATED =
  "Put the new token wherever the old one is used before the old one stops working. If this wasn't you, revoke both tokens and contact your organization superuser.";
export const ROTATE_ADVICE =
  'To keep a script working, rotate the token before then: Profile > API tokens > Rotate, or POST /api/v1/profile/tokens/{id}/rotate (both keep the old token working for an overlap). If you no longer need it, let it expire.';
export const EXPIRED_ADVICE =
  'Scripts that still send it get 401 now. If you still need one, create a new token from your profile (next time, rotate before it expires).';
export const IF_NOT_YOU_NEW_IP =
  "If you don't recognise this address, revoke the token at once and contact your organization superuser.";
export const REVOKED_ALL_ADVICE =
  'Scripts using these tokens get 401 now. If you did not expect this, contact your organization superuser.';

type Row = [label: string, value: string];

const when = (iso: string) => {
  const at = new Date(iso);
  return `${at.toISOString()} (${humanUtc(at)})`;
};

/** What every token mail names: the token, its preview and access level. */
function tokenRows(payload: TokenMailPayload, previewLabel = 'Token'): Row[] {
  const rows: Row[] = [
    ['Token name', oneLine(payload.tokenName, 200)],
    [previewLabel, oneLine(payload.preview, 40)],
  ];
  if (payload.access) rows.push(['Access', ACCESS[payload.access]]);
  return rows;
}

function requestRows(payload: TokenMailPayload): Row[] {
  return [
    ['IP address', oneLine(payload.ip, 64)],
    ['User agent', oneLine(payload.userAgent, 512) || '(none)'],
  ];
}

interface Template {
  lead: (payload: TokenMailPayload) => string;
  rows: (payload: TokenMailPayload) => Row[];
  advice: string;
}

const lastUsed = (payload: TokenMailPayload) =>
  payload.lastUsedAt ? when(payload.lastUsedAt) : 'never used';

const TEMPLATES: Record<TokenMailKind, Template> = {
  token_created: {
    lead: () => 'A new personal API token was created on your Keyhold account.',
    rows: (p) => [
      ...tokenRows(p),
      ['Created at', when(p.at)],
      ...requestRows(p),
      ['Created through', CHANNELS[p.channel]],
    ],
    advice: IF_NOT_YOU_CREATED,
  },
  token_revoked: {
    lead: () => 'One of your personal API tokens was revoked; it no longer works.',
    rows: (p) => [
      ...tokenRows(p),
      ['Revoked at', when(p.at)],
      ...requestRows(p),
      ['Token created through', CHANNELS[p.channel]],
      ['Revoked by', revokedByLabel(p.revokedBy)],
    ],
    advice: IF_NOT_YOU_REVOKED,
  },
  token_rotated: {
    lead: () =>
      'One of your personal API tokens was rotated: a new token with the same name replaces it.',
    rows: (p) => [
      ...tokenRows(p, 'Old token'),
      ['New token', oneLine(p.newPreview ?? '', 40)],
      ['Rotated at', when(p.at)],
      ['Old token works until', p.oldExpiresAt ? when(p.oldExpiresAt) : '(now)'],
      ['New token expires', p.newExpiresAt ? when(p.newExpiresAt) : 'never'],
      ...requestRows(p),
      ['Rotated through', CHANNELS[p.channel]],
    ],
    advice: IF_NOT_YOU_ROTATED,
  },
  token_expiring: {
    lead: (p) =>
      `One of your personal API tokens expires in ${p.daysLeft === 1 ? '1 day' : `${p.daysLeft ?? '?'} days`}.`,
    rows: (p) => [
      ...tokenRows(p),
      ['Expires at', when(p.at)],
      ['Last used', lastUsed(p)],
      ['Last used from', oneLine(p.ip, 64) || '(never used)'],
    ],
    advice: ROTATE_ADVICE,
  },
  token_expired: {
    lead: () => 'One of your personal API tokens has expired; it no longer works.',
    rows: (p) => [
      ...tokenRows(p),
      ['Expired at', when(p.at)],
      ['Last used', lastUsed(p)],
      ['Last used from', oneLine(p.ip, 64) || '(never used)'],
    ],
    advice: EXPIRED_ADVICE,
  },
  token_new_ip: {
    lead: () =>
      'One of your personal API tokens was used from an IP address it had never been used from before.',
    rows: (p) => [
      ...tokenRows(p),
      ['First used from', oneLine(p.ip, 64)],
      ['At', when(p.at)],
      ['User agent', oneLine(p.userAgent, 512) || '(none)'],
    ],
    advice: IF_NOT_YOU_NEW_IP,
  },
  tokens_revoked_all: {
    lead: (p) =>
      `An organization superuser revoked all your personal API tokens (${p.tokens?.length ?? 0}); they no longer work.`,
    rows: (p) => [
      ['Revoked at', when(p.at)],
      ['Revoked by', revokedByLabel(p.revokedBy)],
      ...requestRows(p),
      ...(p.tokens ?? []).map((token, index): Row => [
        `Token ${index + 1}`,
        `${oneLine(token.name, 200)} (${oneLine(token.preview, 40)})`,
      ]),
    ],
    advice: REVOKED_ALL_ADVICE,
  },
};

/** Builds the text and HTML bodies; every user-supplied value is escaped in the HTML part. */
export function renderMail(kind: TokenMailKind, payload: TokenMailPayload): RenderedMail {
  const template = TEMPLATES[kind];
  return layout(
    kind,
    payload.ownerName,
    template.lead(payload),
    template.rows(payload),
    template.advice,
  );
}

export const IF_NOT_YOU_PASSWORD =
  "If this wasn't you, contact your organization superuser at once: your account may be in someone else's hands.";

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
