import { Client } from 'pg';

const BATCH = 100_000;

/** Fills `api_token` with unrelated active tokens, straight in SQL (the API would take hours). */
export class TokenSeeder {
  private owner?: { userId: string; organizationId: string };
  private serial = 0;

  private constructor(private readonly sql: Client) {}

  static async connect(databaseUrl: string): Promise<TokenSeeder> {
    const sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    // Bulk filler: losing it in a crash costs nothing, and commits need not wait for the WAL.
    await sql.query('set synchronous_commit = off');
    return new TokenSeeder(sql);
  }

  async storedTokens(): Promise<number> {
    const result = await this.sql.query<{ n: number }>('select count(*)::int as n from api_token');
    return result.rows[0].n;
  }

  /** Adds rows until `api_token` holds `total`; returns the seconds it took. */
  async seedTo(total: number): Promise<number> {
    const started = performance.now();
    const owner = await this.ownerRow();
    let missing = total - (await this.storedTokens());
    while (missing > 0) {
      const count = Math.min(missing, BATCH);
      // 64 random hex characters, like a SHA-256 digest; the previews are not real ones.
      await this.sql.query(
        `insert into api_token (id, user_id, organization_id, name, digest, preview, channel,
           created_ip, created_user_agent)
         select gen_random_uuid(), $1, $2, 'seeded ' || g,
           md5(gen_random_uuid()::text) || md5(gen_random_uuid()::text),
           'khp_seeded00…0000', 'profile', '127.0.0.1', 'keyhold-bench-seed'
         from generate_series($3::int, $4::int) as g`,
        [owner.userId, owner.organizationId, this.serial + 1, this.serial + count],
      );
      this.serial += count;
      missing -= count;
    }
    // Settle the bulk load now rather than in a measured window: statistics and visibility map
    // (no autovacuum pass mid-run) and, where the role may, the dirty pages (no checkpoint).
    await this.sql.query('vacuum (analyze) api_token');
    await this.sql.query('checkpoint').catch(() => undefined);
    return (performance.now() - started) / 1000;
  }

  /** A member of the bootstrap organization who owns every seeded token. */
  private async ownerRow(): Promise<{ userId: string; organizationId: string }> {
    if (this.owner) return this.owner;
    const organizationId = await this.sql
      .query<{ id: string }>('select id from organization order by created_at limit 1')
      .then((result) => result.rows[0]?.id);
    if (!organizationId) throw new Error('seed: the bootstrap organization does not exist');
    const userId = await this.sql
      .query<{ id: string }>(
        `insert into app_user (id, email, name)
         values (gen_random_uuid(), 'bench-seed@example.test', 'Bench seed') returning id`,
      )
      .then((result) => result.rows[0].id);
    await this.sql.query(
      `insert into membership (user_id, organization_id, permissions)
       values ($1, $2, '{api_tokens.manage}')`,
      [userId, organizationId],
    );
    this.owner = { userId, organizationId };
    return this.owner;
  }

  close(): Promise<void> {
    return this.sql.end();
  }
}
