import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes every Guildflow flow is tagged with, so operators can list a guild's or a
 * member's flows in the Temporal UI. One list feeds the dev server's registration and the workflows;
 * a production namespace needs the same ones (`temporal operator search-attribute create`).
 * Safe to import from workflow code: no I/O.
 */
export const GuildId = defineSearchAttributeKey('GuildId', SearchAttributeType.KEYWORD);
export const DiscordUserId = defineSearchAttributeKey('DiscordUserId', SearchAttributeType.KEYWORD);
export const FlowKind = defineSearchAttributeKey('FlowKind', SearchAttributeType.KEYWORD);

/** Set while a flow keeps retrying a step that must happen (its value: the step); removed when it goes through. */
export const FlowStuck = defineSearchAttributeKey('FlowStuck', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [GuildId, DiscordUserId, FlowKind, FlowStuck] as const;
