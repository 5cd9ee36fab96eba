import { TokenChannel } from '../src/common/access/token-kinds';
import { TokenRotation } from '../src/tokens/token-rotation.service';
import { NewToken, TokensService } from '../src/tokens/tokens.service';
import { OrganizationsService } from '../src/organizations/organizations.service';
import { actorOf, META, ServiceMember, useServiceContext } from './support/service-context';

const DAY_MS = 86_400_000;

/** TokensService on real PostgreSQL, no HTTP: the per-owner limit and the lifetime cap. */
describe('issuing tokens (TokensService, real PostgreSQL)', () => {
  // The default limit of 10; creation rate limits out of the way of the bursts below.
  const s = useServiceContext({
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
  });

  const create = (owner: ServiceMember, name: string, input: Partial<NewToken> = {}) =>
    s.inContext(() =>
      s
        .get(TokensService)
        .create(
          owner,
          { name, expiresInDays: 30, channel: TokenChannel.Profile, ...input },
          META,
          actorOf(owner),
        ),
    );
  const activeCount = async (owner: ServiceMember) =>
    (
      await s.db.sql.query<{ n: number }>(
        `select count(*)::int as n from api_token
          where user_id = $1 and revoked_at is null and (expires_at is null or expires_at > now())`,
        [owner.userId],
      )
    ).rows[0].n;
  const lifetimeDays = (token: { createdAt: Date; expiresAt: Date | null }) =>
    token.expiresAt === null
      ? null
      : (token.expiresAt.getTime() - token.createdAt.getTime()) / DAY_MS;

  describe('the per-owner limit (TOKEN_MAX_PER_USER, 10)', () => {
    it('refuses the 11th active token with token_limit_reached and writes nothing', async () => {
      const { id } = await s.newOrganization();
      const owner = await s.newMember(id, { email: 'eleven@limit.test' });
      for (let i = 0; i < 10; i += 1) await create(owner, `limit-${i}`);
      await expect(create(owner, 'eleventh')).rejects.toMatchObject({
        code: 'token_limit_reached',
      });
      expect(await activeCount(owner)).toBe(10);
      const { rows } = await s.db.sql.query(`select 1 from api_token where name = 'eleventh'`);
      expect(rows).toEqual([]);
    });

    it('counts per owner, and only active tokens: a revoked or expired one frees its place', async () => {
      const { id } = await s.newOrganization();
      const owner = await s.newMember(id, { email: 'full@limit.test' });
      const other = await s.newMember(id, { email: 'other@limit.test' });
      const made: Awaited<ReturnType<typeof create>>[] = [];
      for (let i = 0; i < 10; i += 1) made.push(await create(owner, `mine-${i}`));
      // Another owner in the same organization is not affected by the first one's tokens.
      await expect(create(other, 'theirs')).resolves.toMatchObject({ raw: expect.any(String) });
      await s.inContext(() =>
        s
          .get(TokensService)
          .revoke(made[0].token.id, { userId: owner.userId }, actorOf(owner), META),
      );
      await expect(create(owner, 'after-revoke')).resolves.toBeDefined();
      await expect(create(owner, 'over-again')).rejects.toMatchObject({
        code: 'token_limit_reached',
      });
      await s.db.sql.query(
        `update api_token set expires_at = now() - interval '1 second' where id = $1`,
        [made[1].token.id],
      );
      await expect(create(owner, 'after-expiry')).resolves.toBeDefined();
      expect(await activeCount(owner)).toBe(10);
    });

    it('holds under 50 concurrent creates: exactly 10 succeed, the rest are token_limit_reached', async () => {
      const { id } = await s.newOrganization();
      const owner = await s.newMember(id, { email: 'racer@limit.test' });
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) => create(owner, `race-${i}`)),
      );
      const created = results.filter((result) => result.status === 'fulfilled');
      const refused = results.flatMap((result) =>
        result.status === 'rejected' ? [(result.reason as { code?: string }).code] : [],
      );
      expect(created).toHaveLength(10);
      expect(refused).toEqual(Array(40).fill('token_limit_reached'));
      expect(await activeCount(owner)).toBe(10);
    });
  });

  describe("the organization's token lifetime cap (org:token-lifetime)", () => {
    const setCap = (slug: string, days: number | null) =>
      s.inContext(() => s.get(OrganizationsService).setMaxTokenLifetime(slug, days));

    it('refuses a longer lifetime or none with token_lifetime_exceeded, and writes nothing', async () => {
      const { id, slug } = await s.newOrganization();
      const owner = await s.newMember(id, { email: 'capped@lifetime.test' });
      await setCap(slug, 14);
      for (const expiresInDays of [15, 30, 365, null]) {
        await expect(
          create(owner, `long-${expiresInDays}`, { expiresInDays }),
        ).rejects.toMatchObject({
          code: 'token_lifetime_exceeded',
        });
      }
      expect(await activeCount(owner)).toBe(0);
    });

    it('accepts up to the cap, and shortens the default (30 days) to it', async () => {
      const { id, slug } = await s.newOrganization();
      const owner = await s.newMember(id, { email: 'within@lifetime.test' });
      await setCap(slug, 14);
      const exact = await create(owner, 'exact', { expiresInDays: 14 });
      expect(lifetimeDays(exact.token)).toBeCloseTo(14, 5);
      const shorter = await create(owner, 'shorter', { expiresInDays: 7 });
      expect(lifetimeDays(shorter.token)).toBeCloseTo(7, 5);
      const defaulted = await create(owner, 'defaulted', { expiresInDays: undefined });
      expect(lifetimeDays(defaulted.token)).toBeCloseTo(14, 5);
      // A rotation's new token gets the default too, within the cap.
      const rotated = await s.inContext(() =>
        s.get(TokenRotation).rotate(owner, exact.token.id, {}, META, actorOf(owner)),
      );
      expect(lifetimeDays(rotated.token)).toBeCloseTo(14, 5);
      // A cap above the default leaves the default alone.
      await setCap(slug, 60);
      const roomy = await create(owner, 'roomy', { expiresInDays: undefined });
      expect(lifetimeDays(roomy.token)).toBeCloseTo(30, 5);
    });

    it('applies to its own organization only, and lifting it allows tokens that never expire', async () => {
      const capped = await s.newOrganization();
      const free = await s.newOrganization();
      const inCapped = await s.newMember(capped.id, { email: 'a@capped.test' });
      const inFree = await s.newMember(free.id, { email: 'b@free.test' });
      await setCap(capped.slug, 7);
      const forever = await create(inFree, 'forever', { expiresInDays: null });
      expect(forever.token.expiresAt).toBeNull();
      await expect(create(inCapped, 'forever', { expiresInDays: null })).rejects.toMatchObject({
        code: 'token_lifetime_exceeded',
      });
      await setCap(capped.slug, null);
      const lifted = await create(inCapped, 'forever', { expiresInDays: null });
      expect(lifted.token.expiresAt).toBeNull();
    });

    it.each([0, 3651, 1.5, -1])('refuses a cap of %p with invalid_token_lifetime', async (days) => {
      const { slug } = await s.newOrganization();
      await expect(setCap(slug, days)).rejects.toMatchObject({ code: 'invalid_token_lifetime' });
      const { rows } = await s.db.sql.query(
        'select max_token_lifetime_days from organization where slug = $1',
        [slug],
      );
      expect(rows).toEqual([{ max_token_lifetime_days: null }]);
    });
  });
});
