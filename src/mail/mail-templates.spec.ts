import { TokenAccess, TokenChannel } from '../common/access/token-kinds';
import {
  escapeHtml,
  humanUtc,
  IF_NOT_YOU_CREATED,
  MAIL_SUBJECTS,
  oneLine,
  renderMail,
} from './mail-templates';
import type { TokenMailKind, TokenMailPayload } from './mail.types';
import { describeError } from './mail.worker';

const payload = (overrides: Partial<TokenMailPayload> = {}): TokenMailPayload => ({
  ownerName: 'Olive Owner',
  tokenName: 'deploy',
  preview: 'khp_AbCdEfGh…1a2B',
  at: '2026-11-23T10:11:12.000Z',
  ip: '2001:db8::1',
  userAgent: 'curl/8.4.0',
  channel: TokenChannel.Profile,
  ...overrides,
});

describe('mail templates', () => {
  it('uses fixed subjects that carry no user text', () => {
    const hostile = payload({ tokenName: 'x\r\nBcc: a@b.c' });
    expect(renderMail('token_created', hostile).subject).toBe(MAIL_SUBJECTS.token_created);
    expect(renderMail('token_revoked', { ...hostile, revokedBy: { kind: 'owner' } }).subject).toBe(
      MAIL_SUBJECTS.token_revoked,
    );
    expect(Object.values(MAIL_SUBJECTS).every((subject) => /^[ -~]+$/.test(subject))).toBe(true);
  });

  it('renders every field in both parts, with the time as ISO and in words', () => {
    const mail = renderMail('token_created', payload());
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('deploy');
      expect(part).toContain('khp_AbCdEfGh…1a2B');
      expect(part).toContain('2026-11-23T10:11:12.000Z (Mon, 23 Nov 2026 10:11:12 UTC)');
      expect(part).toContain('2001:db8::1');
      expect(part).toContain('curl/8.4.0');
      expect(part).toContain('your profile');
    }
    expect(mail.text).toContain(IF_NOT_YOU_CREATED);
    expect(mail.text).not.toContain('Revoked by');
  });

  it('escapes user text in HTML and keeps it on one line in text', () => {
    const mail = renderMail('token_revoked', {
      ...payload({
        tokenName: '<script>alert("x")</script>\r\nBcc: evil@example.test',
        ownerName: `Tom & "Jerry" <tj>`,
        userAgent: "UA'\u202eevil\u2028next",
      }),
      revokedBy: { kind: 'superuser', name: '<img src=x onerror=alert(1)>' },
    });
    expect(mail.html).not.toMatch(/<script|<img|<tj>/);
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('Tom &amp; &quot;Jerry&quot; &lt;tj&gt;');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;, an organization superuser');
    expect(mail.html).toContain('UA&#39;evil next');
    expect(mail.text.split('\n').some((line) => line.startsWith('Bcc:'))).toBe(false);
    expect(mail.text).toContain('</script>  Bcc: evil@example.test');
    expect(mail.text).not.toContain('\u202e');
  });

  it('says who revoked: you, the superuser by name, or the leak report', () => {
    const by = (revokedBy: TokenMailPayload['revokedBy']) =>
      renderMail('token_revoked', payload({ revokedBy })).text;
    expect(by({ kind: 'owner' })).toMatch(/Revoked by: +you$/m);
    expect(by({ kind: 'superuser', name: 'Sam Super' })).toMatch(
      /Revoked by: +Sam Super, an organization superuser$/m,
    );
    expect(by({ kind: 'leak_report' })).toMatch(/Revoked by: +Keyhold, automatically/m);
  });

  it('bounds long values by characters, not UTF-16 units (emoji stay whole)', () => {
    const emoji = '😀'.repeat(100);
    expect(oneLine(emoji, 200)).toBe(emoji);
    expect(oneLine(emoji, 10)).toBe(`${'😀'.repeat(10)}…`);
    expect(oneLine('a\u0000b\u0085c\td', 50)).toBe('a b c d');
  });

  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('formats the time in UTC regardless of the server zone', () => {
    expect(humanUtc(new Date('2026-01-02T03:04:05Z'))).toBe('Fri, 02 Jan 2026 03:04:05 UTC');
  });
});

describe('lifecycle mail templates', () => {
  const hostile = '<b>x</b>\r\nBcc: evil@example.test';
  const cases: [TokenMailKind, Partial<TokenMailPayload>, RegExp][] = [
    [
      'token_rotated',
      {
        newPreview: 'khp_NewNewNe…9z9Z',
        oldExpiresAt: '2026-11-23T11:11:12.000Z',
        newExpiresAt: null,
      },
      /New token:\s+khp_NewNewNe…9z9Z/,
    ],
    ['token_expiring', { daysLeft: 7, lastUsedAt: null, ip: '' }, /expires in 7 days/],
    [
      'token_expiring',
      { daysLeft: 1, lastUsedAt: '2026-11-20T00:00:00.000Z' },
      /expires in 1 day\./,
    ],
    ['token_expired', { daysLeft: 0, lastUsedAt: null }, /has expired/],
    ['token_new_ip', { ip: '198.51.100.7' }, /First used from:\s+198\.51\.100\.7/],
    [
      'tokens_revoked_all',
      {
        revokedBy: { kind: 'superuser', name: 'Sue' },
        tokens: [
          { name: 'a', preview: 'khp_AAAAAAAA…aaaa' },
          { name: hostile, preview: 'khp_BBBBBBBB…bbbb' },
        ],
      },
      /Token 2:\s+<b>x<\/b> {2}Bcc: evil@example.test \(khp_BBBBBBBB…bbbb\)/,
    ],
  ];

  it.each(cases)(
    'renders %s with the name, preview, UTC time and advice, one line per value',
    (kind, extra, expected) => {
      const mail = renderMail(kind, payload({ tokenName: hostile, ...extra }));
      expect(mail.subject).toBe(MAIL_SUBJECTS[kind]);
      expect(mail.text).toMatch(expected);
      expect(mail.text).toContain('UTC');
      expect(mail.text).not.toContain('\r');
      expect(mail.text).not.toMatch(/^Bcc:/m);
      expect(mail.html).not.toContain('<b>x</b>');
      if (kind !== 'tokens_revoked_all') expect(mail.text).toContain('khp_AbCdEfGh…1a2B');
    },
  );

  it('shows the access level when known', () => {
    expect(renderMail('token_created', payload({ access: TokenAccess.ReadOnly })).text).toMatch(
      /Access:\s+read-only/,
    );
  });
});

describe('describeError', () => {
  it('keeps the code and message on one bounded line, without credentials or tokens', () => {
    const error = Object.assign(
      new Error(
        `connect failed for smtp://user:pa55@host\nkhp_${'a'.repeat(38)} ${'x'.repeat(900)}`,
      ),
      { code: 'ECONNECTION' },
    );
    const text = describeError(error);
    expect(
      text.startsWith('ECONNECTION: connect failed for smtp://[redacted]@host [redacted]'),
    ).toBe(true);
    expect(text).not.toContain('pa55');
    expect(Array.from(text).length).toBeLessThanOrEqual(501);
  });
});
