import { RESTJSONErrorCodes, type RESTError, type RESTErrorData } from 'discord-api-types/v10';

/**
 * A REST failure as Discord reports it: an HTTP status plus the JSON body `{ code, message, errors? }`.
 * Handlers throw these; the server writes them out unchanged.
 */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: RESTErrorData,
  ) {
    super(message);
    this.name = 'DiscordHttpError';
  }

  toJSON(): RESTError {
    return this.errors === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, errors: this.errors };
  }
}

const E = RESTJSONErrorCodes;

// The messages below are Discord's own wording, so error text in logs matches production.
export const unauthorized = () => new DiscordHttpError(401, 0, '401: Unauthorized');
export const notFound = () => new DiscordHttpError(404, 0, '404: Not Found');
export const methodNotAllowed = () => new DiscordHttpError(405, 0, '405: Method Not Allowed');
export const unknownChannel = () => new DiscordHttpError(404, E.UnknownChannel, 'Unknown Channel');
export const unknownGuild = () => new DiscordHttpError(404, E.UnknownGuild, 'Unknown Guild');
export const unknownMember = () => new DiscordHttpError(404, E.UnknownMember, 'Unknown Member');
export const unknownMessage = () => new DiscordHttpError(404, E.UnknownMessage, 'Unknown Message');
export const unknownRole = () => new DiscordHttpError(404, E.UnknownRole, 'Unknown Role');
export const unknownUser = () => new DiscordHttpError(404, E.UnknownUser, 'Unknown User');
export const unknownWebhook = () => new DiscordHttpError(404, E.UnknownWebhook, 'Unknown Webhook');
export const unknownApplication = () => new DiscordHttpError(404, E.UnknownApplication, 'Unknown Application');
export const unknownInteraction = () => new DiscordHttpError(404, E.UnknownInteraction, 'Unknown interaction');
export const alreadyAcknowledged = () =>
  new DiscordHttpError(400, E.InteractionHasAlreadyBeenAcknowledged, 'Interaction has already been acknowledged.');
export const missingAccess = () => new DiscordHttpError(403, E.MissingAccess, 'Missing Access');
export const missingPermissions = () => new DiscordHttpError(403, E.MissingPermissions, 'Missing Permissions');
export const cannotDmUser = () =>
  new DiscordHttpError(403, E.CannotSendMessagesToThisUser, 'Cannot send messages to this user');
export const noMutualGuilds = () =>
  new DiscordHttpError(
    403,
    E.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds,
    'Cannot send messages to this user due to having no mutual guilds',
  );
export const emptyMessage = () => new DiscordHttpError(400, E.CannotSendAnEmptyMessage, 'Cannot send an empty message');
export const editOthersMessage = () =>
  new DiscordHttpError(403, E.CannotEditMessageAuthoredByAnotherUser, 'Cannot edit a message authored by another user');
export const invalidWebhookToken = () => new DiscordHttpError(401, E.InvalidWebhookToken, 'Invalid Webhook Token');
export const invalidJson = () =>
  new DiscordHttpError(400, E.RequestBodyContainsInvalidJSON, 'The request body contains invalid JSON.');
export const cannotExecuteOnDm = () =>
  new DiscordHttpError(403, E.CannotExecuteActionOnDMChannel, 'Cannot execute action on a DM channel');
export const cannotSendInNonText = () =>
  new DiscordHttpError(400, E.CannotSendMessagesInNonTextChannel, 'Cannot send messages in a non-text channel');

/** One field problem inside a 50035 Invalid Form Body: `path` is the JSON path, e.g. ['components', 0, 'custom_id']. */
export interface FieldError {
  path: (string | number)[];
  code: string;
  message: string;
}

/** 50035 with Discord's nested `errors` tree: `{ content: { _errors: [{ code, message }] } }`. */
export function invalidFormBody(problems: FieldError[]): DiscordHttpError {
  const tree: Record<string, RESTErrorData> = {};
  for (const p of problems) {
    let node: Record<string, RESTErrorData> = tree;
    for (const key of p.path) {
      const k = String(key);
      node[k] ??= {};
      node = node[k] as Record<string, RESTErrorData>;
    }
    const errs = (node._errors ??= [] as unknown as RESTErrorData) as unknown as RESTErrorData[];
    errs.push({ code: p.code, message: p.message });
  }
  return new DiscordHttpError(400, E.InvalidFormBodyOrContentType, 'Invalid Form Body', tree);
}
