import { createLedger, systemAccount, userAccount, type Ledger } from '../../activities/ledger';
import { createApiToken } from '../../lib/api-tokens';
import type { PermissionLevel } from '../../lib/permissions';
import { waitFor } from '../../lib/wait';
import type { E2E } from '../e2e/harness';
import type { FakeGuild, FakeUser, InteractionHandle } from '../fakes/discord';

/** What a person saw in answer to an interaction: its text, first embed and buttons. */
export interface Answer {
  ephemeral: boolean;
  /** The message content, or the first embed's title, description and fields, one per line. */
  text: string;
  embed?: { title?: string; description?: string; fields?: { name: string; value: string }[] };
  buttons: { customId: string; label: string; disabled: boolean }[];
  messageId?: string;
}

type Data = {
  content?: string;
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[] }[];
  components?: { components?: { custom_id?: string; label?: string; disabled?: boolean }[] }[];
};

export function answerOf(record: { ephemeral: boolean; data: unknown; messageId?: string }): Answer {
  const data = (record.data ?? {}) as Data;
  const embed = data.embeds?.[0];
  const text = [data.content, embed?.title, embed?.description, ...(embed?.fields ?? []).map((f) => `${f.name}: ${f.value}`)].filter(Boolean).join('\n');
  const buttons = (data.components ?? []).flatMap((row) =>
    (row.components ?? []).map((b) => ({ customId: b.custom_id ?? '', label: b.label ?? '', disabled: b.disabled === true })),
  );
  return { ephemeral: record.ephemeral, text, embed, buttons, messageId: record.messageId };
}

/** The bot's first answer (the interaction callback). */
export async function answer(handle: InteractionHandle, timeoutMs = 10_000): Promise<Answer> {
  return answerOf(await handle.waitForResponse(timeoutMs));
}

/** A guild of its own for a group of tests (leaderboards and settings do not mix), known to the bot. */
export async function newGuild(e2e: E2E, name: string, memberCount: number): Promise<{ guild: FakeGuild; owner: FakeUser; members: FakeUser[] }> {
  const owner = e2e.discord.createUser({ username: `${name}-owner` });
  const guild = e2e.discord.createGuild({ name, ownerId: owner.id });
  const members = Array.from({ length: memberCount }, (_, i) => {
    const user = e2e.discord.createUser({ username: `${name}-m${i + 1}` });
    e2e.discord.addMember(guild.id, user.id);
    return user;
  });
  await waitFor(() => e2e.prisma.guild.findUnique({ where: { id: guild.id } }), { timeoutMs: 10_000, what: `guild ${guild.id} in the database` });
  return { guild, owner, members };
}

export function ledgerOf(e2e: E2E): Ledger {
  return createLedger(e2e.prisma);
}

export async function balanceOf(e2e: E2E, guildId: string, userId: string): Promise<bigint> {
  return (await ledgerOf(e2e).balance(guildId, userAccount(userId), 'currency')).balance;
}

let funded = 0;
/** Test setup: issues currency to a member straight through the ledger. */
export async function fund(e2e: E2E, guildId: string, userId: string, amount: bigint): Promise<void> {
  funded += 1;
  await ledgerOf(e2e).transfer({
    guildId,
    key: `test-fund:${guildId}:${userId}:${funded}`,
    type: 'reward',
    actor: { type: 'system', id: 'test' },
    asset: 'currency',
    from: systemAccount('issuance'),
    to: userAccount(userId),
    amount,
  });
}

/** An API token for the guild, minted as if by `createdBy` (e.g. `discord:<admin id>` from /api-token). */
export async function apiToken(e2e: E2E, guildId: string, level: PermissionLevel, createdBy = 'cli'): Promise<string> {
  const { token } = await createApiToken(e2e.prisma, { guildId, name: `test ${level}`, level, createdBy, creatorLevel: 'owner' });
  return token;
}

export function api(e2e: E2E, token: string | null, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${e2e.apiUrl}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Waits until the database clock has passed `at` (cooldowns are measured on it). */
export async function waitUntil(e2e: E2E, at: Date): Promise<void> {
  await waitFor(
    async () => {
      const rows = await e2e.prisma.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
      return rows[0]!.now.getTime() > at.getTime();
    },
    { timeoutMs: Math.max(5000, at.getTime() - Date.now() + 5000), intervalMs: 50, what: `the time ${at.toISOString()}` },
  );
}
