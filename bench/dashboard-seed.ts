import pg from 'pg';

/**
 * The dashboard bench's data: a guild of `members` members and `entries` ledger entries (plus claims, orders,
 * announcements, audit events… in the thousands), and another guild with a quarter of the entries, so every
 * list has to pick its guild's rows out of others'. Seeded set-based in SQL, each family in one
 * INSERT … SELECT (the ledger's postings and balances computed in SQL).
 */

/** Another guild with a quarter of the entries, so every list has to pick its guild's rows out of others'. */
const OTHER_GUILD = '100000000000000008';
const USER_BASE = 500000000000000000n;

/** The member `i` (1-based) of the seeded guild. */
export const seededUser = (i: number): string => (USER_BASE + BigInt(i)).toString();

/** The guild's rows, each family in one INSERT … SELECT (the ledger's postings and balances computed in SQL). */
async function seedGuild(client: pg.Client, guildId: string, members: number, entries: number): Promise<void> {
  const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  client = Object.assign(Object.create(client) as pg.Client, {
    query: async (text: string, values?: unknown[]) => {
      const t0 = performance.now();
      const result = await query(text, values);
      if (process.env.BENCH_DASHBOARD_VERBOSE) console.log(`${(performance.now() - t0).toFixed(0).padStart(7)} ms  ${text.trim().split('\n')[0]!.slice(0, 90)}`);
      return result;
    },
  });
  const userId = (expr: string) => `(${USER_BASE} + ${expr})::text`;
  await client.query(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ($1, 'Bench guild', '1', now())`, [guildId]);
  await client.query(`INSERT INTO guild_settings (guild_id, updated_at) VALUES ($1, now())`, [guildId]);
  // Members: names from a few syllables, so a search finds some and not all.
  await client.query(
    `INSERT INTO members (guild_id, user_id, username, display_name, avatar_url, is_bot, joined_at, updated_at)
     SELECT $1, ${userId('i')}, 'user' || i,
            initcap((ARRAY['ka','lo','mi','zu','re','ta','no','vi'])[1 + i % 8] || (ARRAY['ra','den','lix','mo','sa','tor'])[1 + (i / 8) % 6]) || ' ' || i,
            'https://cdn.discordapp.com/embed/avatars/' || (i % 6) || '.png', false, now() - (i || ' minutes')::interval, now()
       FROM generate_series(1, $2::int) i`,
    [guildId, members],
  );
  // The ledger: two assets, one currency account per member plus issuance and sink.
  await client.query(`INSERT INTO ledger_assets (guild_id, code, name, emoji) VALUES ($1, 'currency', 'Coins', '🪙'), ($1, 'gems', 'Gems', '💎')`, [guildId]);
  await client.query(
    `INSERT INTO ledger_accounts (guild_id, asset_id, owner_type, owner_id)
     SELECT $1, s.id, 'user', ${userId('i')} FROM generate_series(1, $2::int) i, ledger_assets s WHERE s.guild_id = $1 AND s.code = 'currency'
     UNION ALL SELECT $1, s.id, 'system', o FROM unnest(ARRAY['issuance', 'sink']) o, ledger_assets s WHERE s.guild_id = $1 AND s.code = 'currency'`,
    [guildId, members],
  );
  // Entries: the first 90 % pay each member (issuance → member, 10–59 each, members in turn), the last 10 %
  // take back at most 5 from a member (member → sink): every member has received ≥ 900 before their ≤ 50
  // of spending starts, so no user balance is ever negative at any entry.
  const credits = Math.floor(entries * 0.9);
  await client.query(`CREATE TEMP TABLE moves AS
    SELECT n, ((n - 1) % $2) + 1 AS member,
           CASE WHEN n <= $3 THEN 10 + n % 50 ELSE -(1 + n % 5) END::bigint AS amount
      FROM generate_series(1, $1::bigint) n`, [entries, members, credits]);
  const { rows } = await client.query<{ base: string }>(`SELECT coalesce(max(id), 0)::text AS base FROM ledger_entries`);
  const base = BigInt(rows[0]!.base);
  await client.query(
    `INSERT INTO ledger_entries (id, guild_id, idempotency_key, fingerprint, type, status, actor_type, actor_id, refs, created_at, posted_at)
     SELECT $2 + n, $1, 'bench:' || $1 || ':' || n, md5($1 || n), CASE WHEN amount > 0 THEN 'daily' ELSE 'purchase' END, 'posted', 'system', 'bench', '{}',
            now() - interval '90 days' + n * (interval '90 days' / $3), now() - interval '90 days' + n * (interval '90 days' / $3)
       FROM moves ORDER BY n`,
    [guildId, base.toString(), entries],
  );
  await client.query(`SELECT setval('ledger_entries_id_seq', (SELECT max(id) FROM ledger_entries))`);
  // Postings: the member's side and the system side, each with the account's running balance after it.
  await client.query(
    `INSERT INTO ledger_postings (entry_id, account_id, amount, balance_after)
     SELECT entry_id, account_id, amount, sum(amount) OVER (PARTITION BY account_id ORDER BY entry_id)
       FROM (SELECT $2 + m.n AS entry_id, a.id AS account_id, m.amount
               FROM moves m JOIN ledger_accounts a ON a.guild_id = $1 AND a.owner_type = 'user' AND a.owner_id = ${userId('m.member')}
             UNION ALL
             SELECT $2 + m.n, a.id, -m.amount
               FROM moves m JOIN ledger_accounts a ON a.guild_id = $1 AND a.owner_type = 'system' AND a.owner_id = CASE WHEN m.amount > 0 THEN 'issuance' ELSE 'sink' END) p`,
    [guildId, base.toString()],
  );
  await client.query(
    `UPDATE ledger_accounts a SET balance = s.total FROM (SELECT account_id, sum(amount) AS total FROM ledger_postings GROUP BY account_id) s
      WHERE s.account_id = a.id AND a.guild_id = $1`,
    [guildId],
  );
  await client.query('DROP TABLE moves');
  // The dashboard's other lists, in the thousands.
  await client.query(
    `INSERT INTO shop_items (guild_id, name, price, updated_at) SELECT $1, 'Item ' || i, i * 10, now() FROM generate_series(1, 300) i`,
    [guildId],
  );
  await client.query(
    `INSERT INTO tasks (guild_id, name, reward, claim_duration_seconds, created_by, status, updated_at)
     SELECT $1, 'Task ' || i, 25, 3600, 'bench', 'active', now() FROM generate_series(1, 100) i`,
    [guildId],
  );
  await client.query(
    `INSERT INTO task_claims (id, guild_id, task_id, user_id, status, deadline_at, created_at, updated_at)
     SELECT $1 || '-claim-' || i, $1, t.id, ${userId('i')}, (ARRAY['claimed','submitted','completed','expired'])[1 + i % 4], now() + interval '1 hour',
            now() - (i || ' seconds')::interval, now()
       FROM generate_series(1, 20000) i JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM tasks WHERE guild_id = $1) t ON t.k = i % 100`,
    [guildId],
  );
  await client.query(`INSERT INTO code_packages (guild_id, quantity, price, updated_at) VALUES ($1, 1, 100, now())`, [guildId]);
  await client.query(
    `INSERT INTO code_orders (id, guild_id, user_id, package_id, quantity, price, asset_code, request_key, status, created_at, updated_at)
     SELECT $1 || '-order-' || i, $1, ${userId('i % 10000 + 1')}, p.id, 1, 100, 'currency', $1 || '-req-' || i, (ARRAY['completed','failed','refunded'])[1 + i % 3],
            now() - (i || ' seconds')::interval, now()
       FROM generate_series(1, 20000) i, code_packages p WHERE p.guild_id = $1`,
    [guildId],
  );
  await client.query(
    `INSERT INTO announcements (id, guild_id, channel_id, title, body, created_by, status, created_at, updated_at)
     SELECT $1 || '-ann-' || i, $1, '1', 'News ' || i, 'Body ' || i, 'bench', 'draft', now() - (i || ' minutes')::interval, now() FROM generate_series(1, 5000) i`,
    [guildId],
  );
  await client.query(
    `INSERT INTO sync_messages (entity_type, entity_id, guild_id, state, updated_at)
     SELECT 'shop_item', $1 || '-' || i, $1, 'synced', now() - (i || ' seconds')::interval FROM generate_series(1, 2000) i`,
    [guildId],
  );
  await client.query(
    `INSERT INTO audit_events (guild_id, actor_type, actor_id, action, target_type, target_id, created_at)
     SELECT $1, 'system', 'bench', 'guild_settings.updated', 'guild', $1, now() - (i || ' seconds')::interval FROM generate_series(1, 50000) i`,
    [guildId],
  );
  await client.query(
    `INSERT INTO api_tokens (id, guild_id, name, level, secret_hash, created_by)
     SELECT $1 || '-tok-' || i, $1, 'Token ' || i, 'mod', encode(sha256(($1 || 'tok' || i)::bytea), 'hex'), 'bench' FROM generate_series(1, 50) i`,
    [guildId],
  );
}

/**
 * Both guilds into the migrated, empty database at `url`, then VACUUM ANALYZE. The live-event triggers
 * (gf_*_event: one `events` row, some a NOTIFY, per row written) are off while seeding — the seed's million
 * events would only be trimmed again, the table keeps the last 100,000 — and on again before anything is
 * measured. Every other trigger and constraint stays on.
 */
export async function seedDashboard(url: string, guildId: string, members: number, entries: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: eventTriggers } = await client.query<{ tbl: string; name: string }>(
      `SELECT t.tgrelid::regclass::text AS tbl, t.tgname AS name FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND p.proname LIKE 'gf\\_%\\_event'`,
    );
    const switchTriggers = async (how: 'DISABLE' | 'ENABLE') => {
      for (const t of eventTriggers) await client.query(`ALTER TABLE ${t.tbl} ${how} TRIGGER "${t.name}"`);
    };
    await switchTriggers('DISABLE');
    await seedGuild(client, guildId, members, entries);
    await seedGuild(client, OTHER_GUILD, members, entries / 4);
    await switchTriggers('ENABLE');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
