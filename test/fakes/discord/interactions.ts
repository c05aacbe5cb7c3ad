import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ButtonStyle,
  ChannelType,
  ComponentType,
  InteractionContextType,
  InteractionResponseType,
  InteractionType,
  Locale,
  MessageFlags,
  MessageType,
  PermissionFlagsBits,
  type APIApplicationCommand,
  type APIApplicationCommandInteractionDataOption,
  type APIApplicationCommandOption,
  type APIInteraction,
  type APIInteractionDataResolved,
  type APIInteractionDataResolvedChannel,
  type APIMessageInteractionMetadata,
  type APIModalInteractionResponseCallbackData,
  type RESTPostAPIInteractionCallbackWithResponseResult,
} from 'discord-api-types/v10';
import { waitFor as poll } from '../../../lib/wait';
import { noContent, ok, type Core, type RouteContext, type RouteDef } from './core';
import {
  alreadyAcknowledged,
  invalidFormBody,
  invalidWebhookToken,
  unknownChannel,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from './errors';
import { DM_APP_PERMISSIONS, has } from './permissions';
import { interactionToken } from './snowflake';
import type { ChannelRec, DiscordState, StoredMessage } from './state';
import type { InteractionResponseRecord, MessageRecord, ModalRecord } from './types';
import { checkModal, parseMessageBody, type MessageInput } from './validate';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Discord's upload limit for a server without boosts (10 MiB), sent as `attachment_size_limit`. */
const ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

/** Auto-populated select menus and the kind of id each resolves (string selects resolve nothing). */
const SELECT_KINDS = new Map<ComponentType, ApplicationCommandOptionType>([
  [ComponentType.UserSelect, ApplicationCommandOptionType.User],
  [ComponentType.RoleSelect, ApplicationCommandOptionType.Role],
  [ComponentType.MentionableSelect, ApplicationCommandOptionType.Mentionable],
  [ComponentType.ChannelSelect, ApplicationCommandOptionType.Channel],
]);

export interface InteractionRec {
  id: string;
  token: string;
  type: InteractionType;
  payload: APIInteraction;
  createdAt: number;
  channelId: string;
  guildId: string | null;
  userId: string;
  commandType?: ApplicationCommandType;
  commandName?: string;
  /** The callback type once acknowledged. */
  ack?: InteractionResponseType;
  /** @original: the response message (4/5) or the component's message (6/7). */
  originalMessageId?: string;
  /** Components (and modals opened from them): the message the component is on. */
  sourceMessageId?: string;
  modal?: APIModalInteractionResponseCallbackData;
  followUps: string[];
  metadata: APIMessageInteractionMetadata;
}

export type MessageRef = MessageRecord | StoredMessage | { id: string } | string;

export interface SlashOptions {
  channelId?: string;
  subcommand?: string;
  subcommandGroup?: string;
  locale?: Locale;
  /**
   * Deliver even when Discord's client would not offer the command to this user (default_member_permissions,
   * contexts): models a server admin overriding command permissions, to test the bot's own checks.
   */
  ignoreCommandPermissions?: boolean;
}

/** What a test holds after driving an interaction: its id/token and ways to read what the bot did. */
export class InteractionHandle {
  constructor(
    private readonly core: Core,
    readonly rec: InteractionRec,
  ) {}

  get id(): string {
    return this.rec.id;
  }

  get token(): string {
    return this.rec.token;
  }

  get payload(): APIInteraction {
    return this.rec.payload;
  }

  /** Everything the bot did for this interaction, in order. */
  responses(): InteractionResponseRecord[] {
    return this.core.interactions.responses.filter((r) => r.interactionId === this.rec.id);
  }

  /** Resolves with the callback (the initial response) once the bot sends it. */
  waitForResponse(timeoutMs = 5000): Promise<InteractionResponseRecord> {
    return poll(() => this.responses().find((r) => r.kind === 'callback'), {
      timeoutMs,
      intervalMs: 5,
      what: `a response to interaction ${this.rec.id} (${this.describe()})`,
    });
  }

  /** Resolves once the bot has done `count` things (callback, follow-ups, edits) for this interaction. */
  async waitForResponses(count: number, timeoutMs = 5000): Promise<InteractionResponseRecord[]> {
    const what = () => `${count} responses to interaction ${this.rec.id} (${this.describe()})`;
    await poll(() => this.responses().length >= count, { timeoutMs, intervalMs: 5, what: what() });
    return this.responses();
  }

  /** The message currently behind @original, if any. */
  original(): MessageRecord | undefined {
    const m = this.rec.originalMessageId ? this.core.state.messages.get(this.rec.originalMessageId) : undefined;
    return m ? this.core.state.toRecord(m) : undefined;
  }

  /** The follow-up messages that still exist. */
  followUps(): MessageRecord[] {
    return this.rec.followUps.flatMap((id) => {
      const m = this.core.state.messages.get(id);
      return m ? [this.core.state.toRecord(m)] : [];
    });
  }

  /** The modal the bot opened in response, if it did. */
  modal(): ModalRecord | undefined {
    const m = this.rec.modal;
    return m ? { customId: m.custom_id, title: m.title, components: m.components as ModalRecord['components'] } : undefined;
  }

  private describe(): string {
    return this.rec.commandName ? `/${this.rec.commandName}` : `custom_id ${String((this.rec.payload.data as Obj | undefined)?.custom_id)}`;
  }
}

/** Builds, dispatches and answers interactions. */
export class Interactions {
  readonly byId = new Map<string, InteractionRec>();
  private readonly byToken = new Map<string, InteractionRec>();
  readonly responses: InteractionResponseRecord[] = [];

  constructor(private readonly core: Core) {}

  private get s() {
    return this.core.state;
  }

  // ---- building interactions -----------------------------------------------------------------------------

  private resolveChannel(guildId: string | null, userId: string, channelId: string | undefined): ChannelRec {
    if (channelId) {
      const c = this.s.channels.get(channelId);
      if (!c) throw new Error(`no channel ${channelId}`);
      return c;
    }
    if (guildId === null) return this.s.openDm(userId);
    const g = this.s.requireGuild(guildId);
    const first = [...this.s.channels.values()].find((c) => c.guildId === g.id && c.type === ChannelType.GuildText);
    if (!first) throw new Error(`guild ${guildId} has no text channel to run the interaction in; pass channelId`);
    return first;
  }

  /** The fields every interaction carries, for `userId` acting in `channel`. */
  private base(type: InteractionType, channel: ChannelRec, userId: string, locale: Locale = Locale.EnglishUS) {
    const user = this.s.users.get(userId);
    if (!user) throw new Error(`no user ${userId}`);
    const id = this.s.ids.next();
    const token = interactionToken(id);
    const guild = channel.guildId ? this.s.guild(channel.guildId) : undefined;
    const payload: Obj = {
      id,
      application_id: this.s.applicationId,
      type,
      token,
      version: 1,
      channel: this.s.toAPIChannel(channel),
      channel_id: channel.id,
      locale,
      entitlements: [],
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
    };
    if (guild) {
      const member = guild.members.get(userId);
      if (!member) throw new Error(`user ${userId} is not a member of guild ${guild.id}`);
      if (!canView(this.s, channel, userId)) throw new Error(`user ${userId} cannot see channel ${channel.id}`);
      Object.assign(payload, {
        guild_id: guild.id,
        guild: { id: guild.id, locale: Locale.EnglishUS, features: [] },
        guild_locale: Locale.EnglishUS,
        member: { ...this.s.toAPIMember(member), permissions: this.s.channelPermissions(channel, userId).toString() },
        app_permissions: this.s.channelPermissions(channel, this.s.botUser.id).toString(),
        authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: guild.id },
        context: InteractionContextType.Guild,
      });
    } else {
      Object.assign(payload, {
        user: this.s.toAPIUser(user),
        app_permissions: DM_APP_PERMISSIONS.toString(),
        // "0" stands for the bot's own DM with the user.
        authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: '0' },
        context: InteractionContextType.BotDM,
      });
    }
    const metadata = {
      id,
      type,
      user: this.s.toAPIUser(user),
      authorizing_integration_owners: payload.authorizing_integration_owners,
    } as APIMessageInteractionMetadata;
    return { id, token, payload, guildId: guild?.id ?? null, metadata };
  }

  private register(rec: InteractionRec): InteractionHandle {
    this.byId.set(rec.id, rec);
    this.byToken.set(rec.token, rec);
    this.core.gateway.dispatchInteraction(rec.payload);
    return new InteractionHandle(this.core, rec);
  }

  private findCommand(guildId: string | null, name: string): APIApplicationCommand {
    const guildList = guildId ? (this.s.guildCommands.get(guildId) ?? []) : [];
    const found =
      guildList.find((c) => c.name === name && c.type === ApplicationCommandType.ChatInput) ??
      this.s.globalCommands.find((c) => c.name === name && c.type === ApplicationCommandType.ChatInput);
    if (!found) throw new Error(`no chat-input command "${name}" registered (global${guildId ? ` or in guild ${guildId}` : ''}); the bot must deploy it first`);
    return found;
  }

  /**
   * Discord's client only offers a command where its contexts allow and to members holding its
   * default_member_permissions, so no interaction is ever created otherwise.
   */
  private checkCommandVisible(command: APIApplicationCommand, channel: ChannelRec, userId: string): void {
    const context = channel.guildId ? InteractionContextType.Guild : InteractionContextType.BotDM;
    const contexts = command.contexts ?? null;
    const dmBlocked = !channel.guildId && command.dm_permission === false;
    if ((contexts && !contexts.includes(context)) || dmBlocked) {
      throw new Error(`/${command.name} is not available in ${channel.guildId ? 'guilds' : 'DMs'} (contexts ${JSON.stringify(contexts)})`);
    }
    const required = command.default_member_permissions;
    if (channel.guildId && required !== null && required !== undefined) {
      const perms = this.s.channelPermissions(channel, userId);
      if ((perms & BigInt(required)) !== BigInt(required)) {
        throw new Error(`user ${userId} lacks default_member_permissions ${required} for /${command.name}; pass ignoreCommandPermissions to model an admin override`);
      }
    }
  }

  /** Turns `{ amount: 5, user: '123' }` into typed interaction options plus `resolved` data. */
  private buildOptions(
    defs: APIApplicationCommandOption[],
    values: Record<string, unknown>,
    guildId: string | null,
    channel: ChannelRec,
    resolved: APIInteractionDataResolved,
    focused?: string,
  ): APIApplicationCommandInteractionDataOption[] {
    for (const key of Object.keys(values)) {
      if (!defs.some((d) => d.name === key)) throw new Error(`command has no option "${key}" (options: ${defs.map((d) => d.name).join(', ') || 'none'})`);
    }
    const out: APIApplicationCommandInteractionDataOption[] = [];
    for (const def of defs) {
      const value = values[def.name];
      if (value === undefined) {
        // While the member types, Discord sends what is filled in so far: required options may be missing.
        if ('required' in def && def.required && focused === undefined) throw new Error(`required option "${def.name}" missing`);
        continue;
      }
      if (def.name === focused) {
        if (!('autocomplete' in def && def.autocomplete)) throw new Error(`option "${def.name}" has no autocomplete; Discord sends no autocomplete interaction for it`);
        // The focused option carries the raw text typed so far, whatever the option's type.
        out.push({ name: def.name, type: def.type, value: String(value), focused: true } as APIApplicationCommandInteractionDataOption);
        continue;
      }
      const choices = 'choices' in def ? def.choices : undefined;
      if (choices?.length && !choices.some((c) => c.value === value)) {
        throw new Error(`option "${def.name}" must be one of ${choices.map((c) => JSON.stringify(c.value)).join(', ')}`);
      }
      const T = ApplicationCommandOptionType;
      switch (def.type) {
        case T.String:
          if (typeof value !== 'string') throw new Error(`option "${def.name}" must be a string`);
          out.push({ name: def.name, type: def.type, value });
          break;
        case T.Integer:
        case T.Number:
          if (typeof value !== 'number' || (def.type === T.Integer && !Number.isInteger(value))) {
            throw new Error(`option "${def.name}" must be ${def.type === T.Integer ? 'an integer' : 'a number'}`);
          }
          out.push({ name: def.name, type: def.type, value });
          break;
        case T.Boolean:
          if (typeof value !== 'boolean') throw new Error(`option "${def.name}" must be a boolean`);
          out.push({ name: def.name, type: def.type, value });
          break;
        case T.User:
        case T.Role:
        case T.Mentionable:
        case T.Channel: {
          if (typeof value !== 'string') throw new Error(`option "${def.name}" must be an id`);
          this.resolve(def.type, value, guildId, channel, resolved);
          out.push({ name: def.name, type: def.type, value } as APIApplicationCommandInteractionDataOption);
          break;
        }
        default:
          throw new Error(`option type ${def.type} ("${def.name}") is not supported by the fake`);
      }
    }
    return out;
  }

  /** Adds a user/role/channel to `resolved` as Discord does for options and select menus. */
  private resolve(type: ApplicationCommandOptionType, id: string, guildId: string | null, channel: ChannelRec, resolved: APIInteractionDataResolved): void {
    const T = ApplicationCommandOptionType;
    const user = this.s.users.get(id);
    const guild = guildId ? this.s.guild(guildId) : undefined;
    const role = guild?.roles.get(id);
    if ((type === T.User || type === T.Mentionable) && user) {
      (resolved.users ??= {})[id] = this.s.toAPIUser(user);
      const member = guild?.members.get(id);
      if (member) {
        const { user: _user, deaf: _deaf, mute: _mute, ...rest } = this.s.toAPIMember(member);
        (resolved.members ??= {})[id] = { ...rest, permissions: this.s.channelPermissions(channel, id).toString() };
      }
      return;
    }
    if ((type === T.Role || type === T.Mentionable) && role) {
      (resolved.roles ??= {})[id] = this.s.toAPIRole(role);
      return;
    }
    const target = this.s.channels.get(id);
    if (type === T.Channel && target && target.guildId === guildId) {
      const api = this.s.toAPIChannel(target) as unknown as Obj;
      const entry: Obj = { id, type: target.type, name: target.name, permissions: this.s.channelPermissions(target, this.s.botUser.id).toString(), flags: 0 };
      if (this.s.isThread(target)) Object.assign(entry, { parent_id: api.parent_id, thread_metadata: api.thread_metadata });
      (resolved.channels ??= {})[id] = entry as unknown as APIInteractionDataResolvedChannel;
      return;
    }
    throw new Error(`${T[type]} option value ${id} does not resolve to anything in ${guildId ? `guild ${guildId}` : 'this DM'}`);
  }

  slash(guildId: string | null, userId: string, name: string, options: Record<string, unknown> = {}, opts: SlashOptions = {}): InteractionHandle {
    return this.chatInput(InteractionType.ApplicationCommand, guildId, userId, name, options, opts);
  }

  /** The member typing `typed` into the autocomplete option `focused` of a chat command (other options as filled in so far). */
  autocomplete(guildId: string | null, userId: string, name: string, focused: string, typed: string, options: Record<string, unknown> = {}, opts: SlashOptions = {}): InteractionHandle {
    return this.chatInput(InteractionType.ApplicationCommandAutocomplete, guildId, userId, name, { ...options, [focused]: typed }, opts, focused);
  }

  private chatInput(
    type: InteractionType.ApplicationCommand | InteractionType.ApplicationCommandAutocomplete,
    guildId: string | null,
    userId: string,
    name: string,
    options: Record<string, unknown>,
    opts: SlashOptions,
    focused?: string,
  ): InteractionHandle {
    const command = this.findCommand(guildId, name);
    const channel = this.resolveChannel(guildId, userId, opts.channelId);
    if (!opts.ignoreCommandPermissions) this.checkCommandVisible(command, channel, userId);
    const { id, token, payload, metadata } = this.base(type, channel, userId, opts.locale);
    const resolved: APIInteractionDataResolved = {};
    let defs = command.options ?? [];
    const wrap: ((inner: APIApplicationCommandInteractionDataOption[]) => APIApplicationCommandInteractionDataOption[])[] = [];
    const descend = (kind: ApplicationCommandOptionType, sub: string) => {
      const def = defs.find((d) => d.name === sub && d.type === kind);
      if (!def) throw new Error(`/${name} has no ${ApplicationCommandOptionType[kind]} "${sub}"`);
      // A subcommand without options comes back from Discord without an `options` field.
      defs = ('options' in def ? (def.options ?? []) : []) as APIApplicationCommandOption[];
      wrap.unshift((inner) => [{ name: sub, type: kind, options: inner } as APIApplicationCommandInteractionDataOption]);
    };
    if (opts.subcommandGroup) descend(ApplicationCommandOptionType.SubcommandGroup, opts.subcommandGroup);
    if (opts.subcommand) descend(ApplicationCommandOptionType.Subcommand, opts.subcommand);
    else if (defs.some((d) => d.type === ApplicationCommandOptionType.Subcommand || d.type === ApplicationCommandOptionType.SubcommandGroup)) {
      throw new Error(`/${name} needs a subcommand (pass { subcommand })`);
    }
    let built = this.buildOptions(defs, options, guildId, channel, resolved, focused);
    // Innermost first: the subcommand wraps the options, its group wraps the subcommand.
    for (const w of wrap) built = w(built);
    const data: Obj = { id: command.id, name: command.name, type: ApplicationCommandType.ChatInput };
    if (command.guild_id) data.guild_id = command.guild_id;
    if (built.length) data.options = built;
    if (Object.keys(resolved).length) data.resolved = resolved;
    payload.data = data;
    Object.assign(metadata, { name: command.name, command_type: ApplicationCommandType.ChatInput });
    return this.register({
      id,
      token,
      type,
      payload: payload as unknown as APIInteraction,
      createdAt: Date.now(),
      channelId: channel.id,
      guildId,
      userId,
      commandType: ApplicationCommandType.ChatInput,
      commandName: command.name,
      followUps: [],
      metadata,
    });
  }

  private messageOf(ref: MessageRef): StoredMessage {
    const id = typeof ref === 'string' ? ref : ref.id;
    const m = this.s.messages.get(id);
    if (!m) throw new Error(`message ${id} does not exist (deleted, or never sent)`);
    return m;
  }

  /** Finds a component by custom_id anywhere in a message (rows, sections, containers). */
  private findComponent(message: StoredMessage, customId: string): Obj | undefined {
    const walk = (list: unknown): Obj | undefined => {
      if (!Array.isArray(list)) return undefined;
      for (const c of list) {
        if (!isObj(c)) continue;
        if (c.custom_id === customId) return c;
        const inner = walk(c.components) ?? (isObj(c.accessory) && c.accessory.custom_id === customId ? c.accessory : undefined);
        if (inner) return inner;
      }
      return undefined;
    };
    return walk(message.components);
  }

  private component(
    ref: MessageRef,
    customId: string,
    userId: string,
    data: (message: StoredMessage, channel: ChannelRec, guildId: string | null, component: Obj) => Obj,
  ): InteractionHandle {
    const message = this.messageOf(ref);
    const component = this.findComponent(message, customId);
    if (!component) throw new Error(`message ${message.id} has no component with custom_id "${customId}"`);
    if (component.disabled === true) throw new Error(`component "${customId}" on message ${message.id} is disabled; a user cannot use it`);
    if (component.type === ComponentType.Button && (component.style === ButtonStyle.Link || component.style === ButtonStyle.Premium)) {
      throw new Error(`"${customId}" is a link/premium button; it sends no interaction`);
    }
    const channel = this.s.channels.get(message.channelId);
    if (!channel) throw new Error(`channel ${message.channelId} of message ${message.id} is gone`);
    const { id, token, payload, guildId, metadata } = this.base(InteractionType.MessageComponent, channel, userId);
    payload.message = this.s.toAPIMessage(message);
    payload.data = data(message, channel, guildId, component);
    Object.assign(metadata, { interacted_message_id: message.id });
    return this.register({
      id,
      token,
      type: InteractionType.MessageComponent,
      payload: payload as unknown as APIInteraction,
      createdAt: Date.now(),
      channelId: channel.id,
      guildId,
      userId,
      sourceMessageId: message.id,
      followUps: [],
      metadata,
    });
  }

  clickButton(message: MessageRef, customId: string, userId: string): InteractionHandle {
    return this.component(message, customId, userId, (_m, _c, _g, component) => {
      if (component.type !== ComponentType.Button) throw new Error(`"${customId}" is not a button (type ${String(component.type)})`);
      const data: Obj = { custom_id: customId, component_type: ComponentType.Button };
      if (typeof component.id === 'number') data.id = component.id;
      return data;
    });
  }

  selectMenu(message: MessageRef, customId: string, userId: string, values: string[], opts: { crafted?: boolean } = {}): InteractionHandle {
    return this.component(message, customId, userId, (_m, channel, guildId, component) => {
      const type = component.type as ComponentType;
      if (!SELECT_KINDS.has(type) && type !== ComponentType.StringSelect) {
        throw new Error(`"${customId}" is not a select menu (type ${String(component.type)})`);
      }
      const min = typeof component.min_values === 'number' ? component.min_values : 1;
      const max = typeof component.max_values === 'number' ? component.max_values : 1;
      if (values.length < min || values.length > max) throw new Error(`select "${customId}" takes ${min}–${max} values, got ${values.length}`);
      const data: Obj = { custom_id: customId, component_type: type, values };
      if (type === ComponentType.StringSelect) {
        const allowed = (Array.isArray(component.options) ? component.options : []).map((o: Obj) => o.value);
        for (const v of values) if (!allowed.includes(v)) throw new Error(`select "${customId}" has no option "${v}"`);
      } else {
        const kind = SELECT_KINDS.get(type) ?? ApplicationCommandOptionType.Mentionable;
        const resolved: APIInteractionDataResolved = {};
        for (const v of values) {
          try {
            this.resolve(kind, v, guildId, channel, resolved);
          } catch (err) {
            if (!opts.crafted) throw err;
          }
        }
        data.resolved = resolved;
      }
      return data;
    });
  }

  /**
   * Submits a modal. With an interaction handle that opened a modal, the submission follows that modal's
   * layout (action rows or labels, ids, required inputs); with a message, fields become plain text inputs.
   */
  submitModal(source: InteractionHandle | MessageRef, customId: string, userId: string, fields: Record<string, string | string[]>): InteractionHandle {
    let channel: ChannelRec | undefined;
    let message: StoredMessage | undefined;
    let modal: APIModalInteractionResponseCallbackData | undefined;
    let triggering: APIMessageInteractionMetadata | undefined;
    if (source instanceof InteractionHandle) {
      const rec = source.rec;
      if (!rec.modal) throw new Error(`interaction ${rec.id} did not open a modal (its response: ${rec.ack === undefined ? 'none yet' : `type ${rec.ack}`})`);
      modal = rec.modal;
      if (modal.custom_id !== customId) throw new Error(`the modal opened by ${rec.id} has custom_id "${modal.custom_id}", not "${customId}"`);
      channel = this.s.channels.get(rec.channelId);
      message = rec.sourceMessageId ? this.s.messages.get(rec.sourceMessageId) : undefined;
      triggering = rec.metadata;
    } else {
      message = this.messageOf(source);
      channel = this.s.channels.get(message.channelId);
    }
    if (!channel) throw new Error('the channel of the modal is gone');
    const { id, token, payload, guildId, metadata } = this.base(InteractionType.ModalSubmit, channel, userId);
    if (message) payload.message = this.s.toAPIMessage(message);
    payload.data = { custom_id: customId, components: modal ? this.fillModal(modal, fields) : this.plainModal(fields) };
    if (triggering) Object.assign(metadata, { triggering_interaction_metadata: triggering });
    return this.register({
      id,
      token,
      type: InteractionType.ModalSubmit,
      payload: payload as unknown as APIInteraction,
      createdAt: Date.now(),
      channelId: channel.id,
      guildId,
      userId,
      ...(message ? { sourceMessageId: message.id } : {}),
      followUps: [],
      metadata,
    });
  }

  private plainModal(fields: Record<string, string | string[]>): Obj[] {
    let n = 0;
    return Object.entries(fields).map(([custom_id, value]) => ({
      type: ComponentType.ActionRow,
      id: ++n,
      components: [{ type: ComponentType.TextInput, id: ++n, custom_id, value: Array.isArray(value) ? value.join(',') : value }],
    }));
  }

  /** Mirrors the modal's layout with the user's input; Discord numbers components from 1 when unset. */
  private fillModal(modal: APIModalInteractionResponseCallbackData, fields: Record<string, string | string[]>): Obj[] {
    let n = 0;
    const used = new Set<string>();
    const input = (c: Obj): Obj => {
      const customId = String(c.custom_id);
      const value = fields[customId];
      const cid = typeof c.id === 'number' ? c.id : ++n;
      if (c.type === ComponentType.TextInput) {
        const text = Array.isArray(value) ? value.join(',') : (value ?? '');
        const required = c.required !== false;
        if (required && !text) throw new Error(`modal field "${customId}" is required`);
        if (typeof c.min_length === 'number' && text && text.length < c.min_length) {
          throw new Error(`modal field "${customId}" needs at least ${c.min_length} characters`);
        }
        if (typeof c.max_length === 'number' && text.length > c.max_length) {
          throw new Error(`modal field "${customId}" allows at most ${c.max_length} characters`);
        }
        if (value !== undefined) used.add(customId);
        return { type: c.type, id: cid, custom_id: customId, value: text };
      }
      const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
      if (value !== undefined) used.add(customId);
      return { type: c.type, id: cid, custom_id: customId, values };
    };
    const out = (modal.components as unknown as Obj[]).map((top) => {
      const topId = typeof top.id === 'number' ? top.id : ++n;
      if (top.type === ComponentType.ActionRow) return { type: top.type, id: topId, components: (top.components as Obj[]).map(input) };
      if (top.type === ComponentType.Label && isObj(top.component)) return { type: top.type, id: topId, component: input(top.component) };
      return { type: top.type, id: topId };
    });
    const unknown = Object.keys(fields).filter((k) => !used.has(k));
    if (unknown.length) throw new Error(`modal "${modal.custom_id}" has no input(s) ${unknown.join(', ')}`);
    return out;
  }

  // ---- answering interactions (REST) -----------------------------------------------------------------------

  private record(rec: InteractionRec, entry: Omit<InteractionResponseRecord, 'interactionId' | 'at'>): void {
    this.responses.push({ interactionId: rec.id, ...entry, at: Date.now() });
  }

  private channelOf(rec: InteractionRec): ChannelRec {
    const c = this.s.channels.get(rec.channelId);
    if (!c) throw unknownChannel();
    return c;
  }

  private responseMessageType(rec: InteractionRec): MessageType {
    if (rec.type !== InteractionType.ApplicationCommand) return MessageType.Default;
    return rec.commandType === ApplicationCommandType.ChatInput ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand;
  }

  private createResponseMessage(rec: InteractionRec, input: MessageInput): StoredMessage {
    const user = this.s.requireUser(rec.userId);
    return this.s.createMessage(this.channelOf(rec), this.s.botUser.id, input, {
      type: this.responseMessageType(rec),
      webhookId: this.s.applicationId,
      applicationId: this.s.applicationId,
      interactionMetadata: rec.metadata,
      ...(rec.type === InteractionType.ApplicationCommand && rec.commandName
        ? { interaction: { id: rec.id, type: rec.type, name: rec.commandName, user: this.s.toAPIUser(user) } }
        : {}),
      interactionId: rec.id,
    });
  }

  /** Which callback types Discord accepts for each interaction type. */
  private allowed(rec: InteractionRec): InteractionResponseType[] {
    const R = InteractionResponseType;
    switch (rec.type) {
      case InteractionType.ApplicationCommand:
        return [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource, R.Modal];
      case InteractionType.MessageComponent:
        return [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource, R.DeferredMessageUpdate, R.UpdateMessage, R.Modal];
      case InteractionType.ModalSubmit:
        return rec.sourceMessageId
          ? [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource, R.DeferredMessageUpdate, R.UpdateMessage]
          : [R.ChannelMessageWithSource, R.DeferredChannelMessageWithSource];
      case InteractionType.ApplicationCommandAutocomplete:
        return [R.ApplicationCommandAutocompleteResult];
      default:
        return [];
    }
  }

  private callback(ctx: RouteContext) {
    const rec = this.byId.get(ctx.params.interactionId ?? '');
    if (!rec || rec.token !== ctx.params.token) throw unknownInteraction();
    if (rec.ack !== undefined) throw alreadyAcknowledged();
    if (Date.now() - rec.createdAt > this.core.options.interactionAckTimeoutMs) throw unknownInteraction();
    const body = isObj(ctx.body) ? ctx.body : {};
    const type = Number(body.type) as InteractionResponseType;
    if (!this.allowed(rec).includes(type)) {
      const message = `Interaction response type ${String(body.type)} is not valid for this interaction`;
      throw invalidFormBody([{ path: ['type'], code: 'INTERACTION_RESPONSE_TYPE_INVALID', message }]);
    }
    const R = InteractionResponseType;
    const data = body.data;
    let message: StoredMessage | undefined;
    let ephemeral = false;
    switch (type) {
      case R.ChannelMessageWithSource: {
        const input = parseMessageBody(data ?? {}, ctx.files, { edit: false });
        message = this.createResponseMessage(rec, input);
        ephemeral = (message.flags & MessageFlags.Ephemeral) !== 0;
        rec.originalMessageId = message.id;
        break;
      }
      case R.DeferredChannelMessageWithSource: {
        // The "Bot is thinking…" placeholder: a loading message that the first edit or follow-up fills in.
        const flags = isObj(data) && typeof data.flags === 'number' ? data.flags & MessageFlags.Ephemeral : 0;
        message = this.createResponseMessage(rec, { files: [], flags: flags | MessageFlags.Loading });
        ephemeral = flags !== 0;
        rec.originalMessageId = message.id;
        break;
      }
      case R.DeferredMessageUpdate:
      case R.UpdateMessage: {
        const target = rec.sourceMessageId ? this.s.messages.get(rec.sourceMessageId) : undefined;
        if (!target) throw unknownMessage();
        if (type === R.UpdateMessage) {
          const input = parseMessageBody(data ?? {}, ctx.files, { edit: true });
          this.s.editMessage(target, input);
        }
        message = target;
        ephemeral = (target.flags & MessageFlags.Ephemeral) !== 0;
        rec.originalMessageId = target.id;
        break;
      }
      case R.Modal:
        rec.modal = checkModal(data);
        break;
      default:
        break;
    }
    rec.ack = type;
    this.record(rec, { kind: 'callback', type, data, ephemeral, ...(message ? { messageId: message.id } : {}) });
    if (ctx.query.get('with_response') !== 'true') return noContent();
    const result: RESTPostAPIInteractionCallbackWithResponseResult = {
      interaction: {
        id: rec.id,
        type: rec.type,
        ...(message && (type === R.ChannelMessageWithSource || type === R.DeferredChannelMessageWithSource)
          ? { response_message_id: message.id, response_message_loading: type === R.DeferredChannelMessageWithSource, response_message_ephemeral: ephemeral }
          : {}),
      },
      resource: {
        type,
        ...(message && (type === R.ChannelMessageWithSource || type === R.UpdateMessage) ? { message: this.s.toAPIMessage(message) } : {}),
      },
    };
    return ok(result);
  }

  /** The interaction behind a webhook token; it only exists as a webhook once acknowledged. */
  private webhookRec(ctx: RouteContext): InteractionRec {
    if (ctx.params.appId !== this.s.applicationId) throw unknownWebhook();
    const rec = this.byToken.get(ctx.params.token ?? '');
    if (!rec || rec.ack === undefined) throw unknownWebhook();
    if (Date.now() - rec.createdAt > this.core.options.interactionTokenLifetimeMs) throw invalidWebhookToken();
    return rec;
  }

  private webhookMessage(rec: InteractionRec, messageId: string | undefined): { message: StoredMessage; target: string } {
    if (messageId === '@original') {
      const m = rec.originalMessageId ? this.s.messages.get(rec.originalMessageId) : undefined;
      if (!m) throw unknownMessage();
      return { message: m, target: 'original' };
    }
    const m = messageId && (rec.followUps.includes(messageId) || messageId === rec.originalMessageId) ? this.s.messages.get(messageId) : undefined;
    if (!m) throw unknownMessage();
    return { message: m, target: messageId === rec.originalMessageId ? 'original' : m.id };
  }

  private followUp(ctx: RouteContext) {
    const rec = this.webhookRec(ctx);
    const input = parseMessageBody(ctx.body, ctx.files, { edit: false });
    const original = rec.originalMessageId ? this.s.messages.get(rec.originalMessageId) : undefined;
    let message: StoredMessage;
    if (rec.ack === InteractionResponseType.DeferredChannelMessageWithSource && original && original.flags & MessageFlags.Loading) {
      // After a deferred reply the first follow-up replaces the "thinking" message (keeping its ephemerality).
      message = this.s.editMessage(original, { ...input, flags: original.flags });
    } else {
      message = this.createResponseMessage(rec, input);
      rec.followUps.push(message.id);
    }
    this.record(rec, { kind: 'followup', data: ctx.body, ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0, messageId: message.id });
    return ctx.query.get('wait') === 'true' ? ok(this.s.toAPIMessage(message)) : noContent();
  }

  private editWebhookMessage(ctx: RouteContext) {
    const rec = this.webhookRec(ctx);
    const { message, target } = this.webhookMessage(rec, ctx.params.messageId);
    const input = parseMessageBody(ctx.body, ctx.files, { edit: true });
    this.s.editMessage(message, { ...input, ...(input.flags !== undefined ? { flags: input.flags & ~MessageFlags.Ephemeral } : {}) });
    this.record(rec, { kind: 'edit', data: ctx.body, ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0, messageId: message.id, target });
    return ok(this.s.toAPIMessage(message));
  }

  private deleteWebhookMessage(ctx: RouteContext) {
    const rec = this.webhookRec(ctx);
    const { message, target } = this.webhookMessage(rec, ctx.params.messageId);
    this.s.deleteMessage(message);
    this.record(rec, { kind: 'delete', data: undefined, ephemeral: (message.flags & MessageFlags.Ephemeral) !== 0, messageId: message.id, target });
    return noContent();
  }

  routes(): RouteDef[] {
    return [
      { method: 'POST', pattern: '/interactions/:interactionId/:token/callback', auth: false, handler: (ctx) => this.callback(ctx) },
      { method: 'POST', pattern: '/webhooks/:appId/:token', auth: false, handler: (ctx) => this.followUp(ctx) },
      {
        method: 'GET',
        pattern: '/webhooks/:appId/:token/messages/:messageId',
        auth: false,
        handler: (ctx) => ok(this.s.toAPIMessage(this.webhookMessage(this.webhookRec(ctx), ctx.params.messageId).message)),
      },
      { method: 'PATCH', pattern: '/webhooks/:appId/:token/messages/:messageId', auth: false, handler: (ctx) => this.editWebhookMessage(ctx) },
      { method: 'DELETE', pattern: '/webhooks/:appId/:token/messages/:messageId', auth: false, handler: (ctx) => this.deleteWebhookMessage(ctx) },
    ];
  }
}

/** Can `userId` see `channel` (a user cannot interact where they cannot see)? */
function canView(state: DiscordState, channel: ChannelRec, userId: string): boolean {
  if (!channel.guildId) return channel.recipientId === userId;
  return has(state.channelPermissions(channel, userId), PermissionFlagsBits.ViewChannel);
}
