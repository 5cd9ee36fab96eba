import { decodeTimeCursor, encodeCursor } from './pagination';

describe('time cursors (token and audit lists)', () => {
  it('round-trips the time and id', () => {
    const at = new Date('2026-11-23T10:00:00.123Z');
    const id = '0d3c2a8e-6b1f-4c5e-9a7d-3f2e1b0c9d8a';
    expect(decodeTimeCursor(encodeCursor([at.toISOString(), id]))).toEqual({ createdAt: at, id });
  });

  it.each([
    'not a cursor',
    '',
    Buffer.from('["2026-11-23T10:00:00.123Z"]').toString('base64url'),
    Buffer.from('["yesterday","0d3c2a8e-6b1f-4c5e-9a7d-3f2e1b0c9d8a"]').toString('base64url'),
    Buffer.from('["2026-11-23T10:00:00.123Z","1; drop table"]').toString('base64url'),
    Buffer.from(
      '["2026-11-23T10:00:00.123Z\\u0000","0d3c2a8e-6b1f-4c5e-9a7d-3f2e1b0c9d8a"]',
    ).toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
    // Valid for JavaScript, out of range or malformed for PostgreSQL (issue 10).
    ...['+010000-01-01T00:00:00.000Z', '-000100-01-01T00:00:00.000Z', '0000-01-01T00:00:00.000Z']
      .concat(['2026-11-23', '2026-13-45T99:99:99.999Z', '1969-12-31T23:59:59.999Z'])
      .map((at) =>
        Buffer.from(JSON.stringify([at, '0d3c2a8e-6b1f-4c5e-9a7d-3f2e1b0c9d8a'])).toString(
          'base64url',
        ),
      ),
  ])('refuses %p with 400 validation_failed', (text) => {
    expect(() => decodeTimeCursor(text)).toThrow(
      expect.objectContaining({ code: 'validation_failed' }),
    );
  });
});
