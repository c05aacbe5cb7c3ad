import type { APIActionRowComponent, APIComponentInMessageActionRow, APIEmbed } from 'discord-api-types/v10';
import type { InteractionHandle, MessageRecord } from '../../test/fakes/discord';
import type { Playground } from '../playground-stack';

type Shown = { content?: string | null; embeds?: APIEmbed[]; components?: unknown[] } | undefined;

/** The custom id of the button labelled `label` on a message, as a member finds it by its label. */
export function buttonId(message: MessageRecord | undefined, label: string): string {
  const rows = (message?.components ?? []) as APIActionRowComponent<APIComponentInMessageActionRow>[];
  const button = rows.flatMap((r) => r.components ?? []).find((c) => 'label' in c && c.label === label && 'custom_id' in c);
  if (!button || !('custom_id' in button)) throw new Error(`no [${label}] button on "${message?.embeds[0]?.title ?? message?.content ?? '(no message)'}"`);
  return button.custom_id;
}

/**
 * What the example scripts share: each step printed as a transcript (`> Member: /daily`, then what Discord
 * showed them, with role and channel mentions as names), and the Temporal UI link of each flow.
 */
export function transcript(playground: Playground) {
  const { discord, demo, temporalUi } = playground;
  const { guild, owner, admin, mod, member } = demo;
  const names = () => new Map<string, string>([...discord.roles(guild.id).map((r) => [r.id, `@${r.name}`] as const), ...discord.channels(guild.id).map((c) => [c.id, `#${c.name}`] as const)]);
  const named = (text: string) => {
    const known = names();
    return text.replace(/<@&(\d+)>|<#(\d+)>/g, (m, role?: string, channel?: string) => known.get(role ?? channel ?? '') ?? m);
  };
  const userName = (id: string) => ({ [owner.id]: 'Owner', [admin.id]: 'Admin', [mod.id]: 'Moderator', [member.id]: 'Member' })[id] ?? id;
  const indent = (text: string) => text.replace(/^/gm, '    ');

  /** A message or an interaction answer as Discord shows it: its text, embeds, buttons and menus. */
  function show(data: Shown): void {
    if (data?.content) console.log(indent(named(data.content)));
    for (const e of data?.embeds ?? []) console.log(indent(named([e.title && `[${e.title}]`, e.description, ...(e.fields ?? []).map((f) => `${f.name}: ${f.value}`)].filter(Boolean).join('\n'))));
    const rows = (data?.components ?? []) as APIActionRowComponent<APIComponentInMessageActionRow>[];
    for (const c of rows.flatMap((r) => r.components ?? [])) {
      if ('placeholder' in c && c.placeholder) console.log(indent(`  ▾ menu "${c.placeholder}"`));
      else if ('label' in c && c.label) console.log(indent(`  [${c.label}]${'disabled' in c && c.disabled ? ' (disabled)' : ''}`));
    }
  }

  /** Waits for the bot's answer (the edit of a "thinking…" reply too), prints it and returns what was shown. */
  async function answered(h: InteractionHandle): Promise<Shown> {
    const response = await h.waitForResponse(15_000);
    if (response.kind === 'callback' && response.type === 9) {
      console.log(indent(`(a form opens: "${h.modal()?.title ?? ''}")`));
      return undefined;
    }
    if (response.kind !== 'callback' || (response.type !== 5 && response.type !== 6)) {
      show(response.data as Shown);
      return response.data as Shown;
    }
    await discord.waitFor(() => h.responses().find((r) => r.kind === 'edit'), 15_000, 'the deferred answer');
    const shown = h.original();
    show(shown);
    return shown;
  }

  /** The API as an admin's script uses it: JSON in and out, an error for a non-2xx answer. */
  async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${playground.api}/api/guilds/${guild.id}${path}`, {
      method,
      headers: { authorization: `Bearer ${playground.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    show,
    named,
    /** A role's or channel's name as Discord shows it (@Verified, #shop). */
    nameOf: (id: string) => names().get(id) ?? id,
    say: (text: string) => console.log(`\n${text}`),
    /** `/command [subcommand] options` as `userId`; prints and returns the handle once answered. */
    async slash(userId: string, command: string, subcommand?: string, options: Record<string, unknown> = {}): Promise<InteractionHandle> {
      const known = names();
      const shown = Object.entries(options).map(([k, v]) => ` ${k}:${known.get(String(v)) ?? (userName(String(v)) === String(v) ? v : `@${userName(String(v))}`)}`).join('');
      console.log(`\n> ${userName(userId)}: /${command}${subcommand ? ` ${subcommand}` : ''}${shown}`);
      const h = discord.slash(guild.id, userId, command, options, subcommand ? { subcommand } : {});
      await answered(h);
      return h;
    },
    /** Presses a button on a message as `userId`. */
    async press(message: MessageRecord | string, customId: string, userId: string, label = customId): Promise<InteractionHandle> {
      console.log(`\n> ${userName(userId)} presses [${label}]`);
      const h = discord.clickButton(message, customId, userId);
      await answered(h);
      return h;
    },
    /** Fills in the form a button or command opened. */
    async fill(source: InteractionHandle, userId: string, fields: Record<string, string>): Promise<InteractionHandle> {
      const modal = source.modal();
      if (!modal) throw new Error('no form was opened');
      console.log(`\n> ${userName(userId)} fills in "${modal.title}": ${Object.values(fields).join(' | ')}`);
      const h = discord.submitModal(source, modal.customId, userId, fields);
      await answered(h);
      return h;
    },
    /** Prints where to watch a flow in the Temporal UI. */
    flow(workflowId: string): void {
      const link = temporalUi ? `${temporalUi}/namespaces/default/workflows/${encodeURIComponent(workflowId)}` : '(Temporal UI of your cluster)';
      console.log(indent(`↳ workflow ${workflowId}: ${link}`));
    },
    api,
    /** A member's balance of an asset (`currency`, `gems`…) from the ledger API, in minor units. */
    async balance(userId: string, asset = 'currency'): Promise<bigint> {
      const { balances } = await api<{ balances: { asset: string; balance: string }[] }>('GET', `/ledger/members/${userId}/balances`);
      return BigInt(balances.find((b) => b.asset === asset)?.balance ?? 0);
    },
  };
}
