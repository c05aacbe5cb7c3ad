import { createHash } from 'node:crypto';
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import type { APIMessage } from 'discord-api-types/v10';
import type { DiscordMessage } from './activities';
import { discordCode, discordNotConfigured } from './errors';

/**
 * Channel messages that Guildflow owns and keeps up to date (the message sync, announcements): post,
 * edit, read, delete and pin through the REST client. These helpers throw the REST client's own errors;
 * callers classify them (errors.ts `toDiscordFailure`, or `messageFault` below for the cases a synced
 * message must tell apart: the message is gone, the channel is gone or closed to the bot).
 */
export function channelMessages(discord: REST | null) {
  const rest = (what: string): REST => {
    if (!discord) throw discordNotConfigured(what);
    return discord;
  };
  return {
    /**
     * Posts a message. `nonce` makes a retried post after a lost answer land once (Discord's
     * enforce_nonce dedupes for a few minutes).
     */
    async post(channelId: string, message: DiscordMessage, nonce?: string): Promise<APIMessage> {
      const body = { ...message, ...(nonce ? { nonce, enforce_nonce: true } : {}) };
      return (await rest('post messages').post(Routes.channelMessages(channelId), { body })) as APIMessage;
    },
    async edit(channelId: string, messageId: string, message: DiscordMessage): Promise<APIMessage> {
      const body = { content: message.content ?? '', embeds: message.embeds ?? [], components: message.components ?? [], allowed_mentions: message.allowed_mentions };
      return (await rest('edit messages').patch(Routes.channelMessage(channelId, messageId), { body })) as APIMessage;
    },
    async get(channelId: string, messageId: string): Promise<APIMessage> {
      return (await rest('read messages').get(Routes.channelMessage(channelId, messageId))) as APIMessage;
    },
    /** Deletes a message; one that is already gone (or whose channel is) counts as deleted. */
    async remove(channelId: string, messageId: string, reason?: string): Promise<{ deleted: boolean }> {
      try {
        await rest('delete messages').delete(Routes.channelMessage(channelId, messageId), { reason });
        return { deleted: true };
      } catch (err) {
        if (messageFault(err) === 'message_gone' || messageFault(err) === 'channel_gone') return { deleted: false };
        throw err;
      }
    },
    async pin(channelId: string, messageId: string): Promise<void> {
      await rest('pin messages').put(Routes.channelMessagesPin(channelId, messageId));
    },
    async unpin(channelId: string, messageId: string): Promise<void> {
      await rest('unpin messages').delete(Routes.channelMessagesPin(channelId, messageId));
    },
  };
}

/**
 * What a refusal means for a message Guildflow keeps: `message_gone` (someone deleted it: post it
 * again), `channel_gone` (the channel was deleted), `no_access` (the bot may not see or write there),
 * `rejected` (any other refusal: the message itself is wrong), or null for outages (5xx, 429, network).
 */
export function messageFault(err: unknown): 'message_gone' | 'channel_gone' | 'no_access' | 'rejected' | null {
  const code = discordCode(err);
  if (code === undefined) return null;
  if (code === 10008) return 'message_gone';
  if (code === 10003) return 'channel_gone';
  if (code === 50001 || code === 50013) return 'no_access';
  const status = (err as { status?: number }).status ?? 0;
  return status >= 500 || status === 429 ? null : 'rejected';
}

/** A short stable digest of a message (what a synced message compares before editing). */
export function messageDigest(message: DiscordMessage): string {
  return createHash('sha256').update(JSON.stringify(message)).digest('hex');
}
