import type { Client } from '@temporalio/client';
import { relayTradeMessage } from '../../lib/flows/card-trades.client';
import type { PrismaClient } from '../../prisma/client';
import { proposalNotFound } from './errors';
import { postMessage, proposalForParty } from './service';

/**
 * A proposal's conversation, shared by the API and `/cards trade message`: the message is recorded (only by
 * one of the two parties: anyone else is told there is no such proposal), then the trade flow relays it to
 * the other party by their notification preference, once per message. A trade that is over keeps the
 * message for the record but tells nobody (`relayed: false`). A post retried with its idempotency key after
 * an error (Temporal down) signals again for the message stored the first time; the flow relays it once.
 */
export async function postTradeMessage(deps: { prisma: PrismaClient; temporal: Client | null | undefined }, input: { guildId: string; proposalId: string; authorId: string; body: string; idempotencyKey?: string }) {
  // A proposal of another server is as unknown here as one the author is not part of.
  if ((await proposalForParty(deps.prisma, input.proposalId, input.authorId)).guildId !== input.guildId) throw proposalNotFound(input.proposalId);
  const message = await postMessage(deps.prisma, input);
  const relayed = await relayTradeMessage(deps.temporal, input.proposalId, { messageId: message.id.toString(), authorId: message.authorId });
  return { message, relayed };
}
