import { generateToken } from '../src/tokens/token-format';
import { expectProblem, useTestContext } from './support/context';
import { addMember } from './support/fixtures';

describe('organization token list: search, sort, pagination', () => {
  const t = useTestContext({
    TOKEN_MAX_PER_USER: '100',
    TOKEN_CREATE_LIMIT_PER_MINUTE: '1000',
    TOKEN_CREATE_LIMIT_PER_HOUR: '1000',
  });

  beforeAll(async () => {
    const alice = await addMember(t, { email: 'alice@example.test' });
    const bob = await addMember(t, { email: 'bob@example.test' });
    // 60 tokens seeded straight into the table (the API path is covered elsewhere); staggered times.
    for (let i = 0; i < 60; i++) {
      const owner = i % 2 === 0 ? alice.id : bob.id;
      const raw = generateToken('khp_');
      await t.db.sql.query(
        `insert into api_token (id, user_id, organization_id, name, digest, preview, channel, created_at, created_ip, created_user_agent, last_used_at)
         values (gen_random_uuid(), $1, $2, $3, md5($4) || md5($4), $5, 'profile', now() - ($6 || ' minutes')::interval, '127.0.0.1', 'seed',
                 case when $6::int % 3 = 0 then null else now() - ($6 || ' seconds')::interval end)`,
        [
          owner,
          t.org.id,
          `token-${String(i).padStart(2, '0')}`,
          raw,
          `${raw.slice(0, 12)}…${raw.slice(-4)}`,
          i,
        ],
      );
    }
  });

  type Item = {
    id: string;
    name: string;
    createdAt: string;
    lastUsedAt: string | null;
    owner: { email: string };
  };
  const walk = async (query: string): Promise<Item[]> => {
    const items: Item[] = [];
    let cursor: string | null = null;
    do {
      const url: string = t.orgPath(`/tokens?limit=7&${query}${cursor ? `&cursor=${cursor}` : ''}`);
      const page = await t.admin.get<{ items: Item[]; nextCursor: string | null; code?: string }>(
        url,
      );
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  };

  it('walks all 60 tokens newest first without gaps or repeats', async () => {
    const items = await walk('');
    expect(items).toHaveLength(60);
    expect(new Set(items.map((i) => i.id)).size).toBe(60);
    expect(items[0].name).toBe('token-00');
    expect(items.map((i) => i.createdAt)).toEqual(
      [...items.map((i) => i.createdAt)].sort().reverse(),
    );
  });

  it.each(['name', '-name', 'createdAt', '-lastUsedAt', 'lastUsedAt'])(
    'sorts by %s across pages',
    async (sort) => {
      const items = await walk(`sort=${sort}`);
      expect(items).toHaveLength(60);
      expect(new Set(items.map((i) => i.id)).size).toBe(60);
      const key = sort.replace('-', '') as 'name' | 'createdAt' | 'lastUsedAt';
      const values = items.map((i) =>
        key === 'lastUsedAt' ? (i.lastUsedAt ?? '1970-01-01T00:00:00.000Z') : i[key],
      );
      const sorted = [...values].sort();
      expect(values).toEqual(sort.startsWith('-') ? sorted.reverse() : sorted);
    },
  );

  it('searches name, preview and owner', async () => {
    expect((await walk('q=token-1')).map((i) => i.name).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `token-1${i}`),
    );
    const bob = await walk('q=BOB@');
    expect(bob).toHaveLength(30);
    expect(bob.every((i) => i.owner.email === 'bob@example.test')).toBe(true);
    const first = (await walk('sort=name'))[0];
    const { rows } = await t.db.sql.query('select preview from api_token where id = $1', [
      first.id,
    ]);
    expect(
      (await walk(`q=${encodeURIComponent(String(rows[0].preview).slice(4, 12))}`)).map(
        (i) => i.id,
      ),
    ).toContain(first.id);
    expect(await walk('q=%25')).toHaveLength(0);
  });

  it('refuses an unknown sort and a forged cursor with 400', async () => {
    expectProblem(await t.admin.get(t.orgPath('/tokens?sort=digest')), 400, 'validation_failed');
    const forged = Buffer.from(JSON.stringify(["x'; drop table api_token; --", 'nope'])).toString(
      'base64url',
    );
    expectProblem(
      await t.admin.get(t.orgPath(`/tokens?cursor=${forged}`)),
      400,
      'validation_failed',
    );
  });
});
