import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIApplicationCommandOption,
  type APIEmbed,
  type APIMessageReference,
  type APIMessageTopLevelComponent,
  type APIModalInteractionResponseCallbackData,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { emptyMessage, invalidFormBody, type FieldError } from './errors';

/** A file part of a multipart request (`files[n]`), before it becomes an attachment. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Attachment metadata from `attachments: [{ id, filename?, description? }]` in the JSON payload. */
export interface AttachmentRef {
  id: string;
  filename?: string;
  description?: string;
}

/** A message body after validation, in the shape the state stores. */
export interface MessageInput {
  content?: string;
  embeds?: APIEmbed[];
  components?: APIMessageTopLevelComponent[];
  flags?: number;
  tts?: boolean;
  messageReference?: APIMessageReference;
  /** Present when the body listed attachments (on edit: the ones to keep). */
  attachmentRefs?: AttachmentRef[];
  files: UploadedFile[];
  allowedMentions?: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects field problems so one response lists all of them, as Discord does. */
class Problems {
  readonly list: FieldError[] = [];
  add(path: (string | number)[], code: string, message: string): void {
    this.list.push({ path, code, message });
  }
  maxLength(path: (string | number)[], value: unknown, max: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') this.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    else if ([...value].length > max) this.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  }
  required(path: (string | number)[], value: unknown): boolean {
    if (value === undefined || value === null || value === '') {
      this.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
      return false;
    }
    return true;
  }
  throwIfAny(): void {
    if (this.list.length) throw invalidFormBody(this.list);
  }
}

/** Message flags a bot may set when sending; the rest are set by Discord itself. */
const SENDABLE_FLAGS =
  MessageFlags.SuppressEmbeds | MessageFlags.Ephemeral | MessageFlags.SuppressNotifications | MessageFlags.IsComponentsV2;

/** Embed text limits from Discord's documentation (characters). */
function checkEmbeds(p: Problems, embeds: unknown): APIEmbed[] | undefined {
  if (embeds === undefined || embeds === null) return undefined;
  if (!Array.isArray(embeds)) {
    p.add(['embeds'], 'BASE_TYPE_LIST', 'Must be a list.');
    return undefined;
  }
  if (embeds.length > 10) p.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  embeds.forEach((raw, i) => {
    if (!isObj(raw)) return p.add(['embeds', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const e = raw as APIEmbed;
    p.maxLength(['embeds', i, 'title'], e.title, 256);
    p.maxLength(['embeds', i, 'description'], e.description, 4096);
    p.maxLength(['embeds', i, 'footer', 'text'], e.footer?.text, 2048);
    p.maxLength(['embeds', i, 'author', 'name'], e.author?.name, 256);
    if (e.color !== undefined && e.color !== null && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) {
      p.add(['embeds', i, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
    const fields = e.fields ?? [];
    if (fields.length > 25) p.add(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    fields.forEach((f, j) => {
      if (p.required(['embeds', i, 'fields', j, 'name'], f.name)) p.maxLength(['embeds', i, 'fields', j, 'name'], f.name, 256);
      if (p.required(['embeds', i, 'fields', j, 'value'], f.value)) p.maxLength(['embeds', i, 'fields', j, 'value'], f.value, 1024);
      total += (f.name?.length ?? 0) + (f.value?.length ?? 0);
    });
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text?.length ?? 0) + (e.author?.name?.length ?? 0);
  });
  if (total > 6000) p.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
  return embeds as APIEmbed[];
}

/**
 * Component rules Discord enforces on send: at most 5 action rows of up to 5 buttons or exactly one select,
 * custom ids of at most 100 characters and unique within the message, link buttons with a url and no id.
 * Components v2 layouts (flag 1<<15) are checked for ids only.
 */
function checkComponents(p: Problems, components: unknown, v2: boolean): APIMessageTopLevelComponent[] | undefined {
  if (components === undefined || components === null) return undefined;
  if (!Array.isArray(components)) {
    p.add(['components'], 'BASE_TYPE_LIST', 'Must be a list.');
    return undefined;
  }
  const seen = new Set<string>();
  const checkId = (path: (string | number)[], id: unknown): void => {
    if (!p.required([...path, 'custom_id'], id)) return;
    p.maxLength([...path, 'custom_id'], id, 100);
    if (typeof id === 'string') {
      if (seen.has(id)) p.add([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
      seen.add(id);
    }
  };
  const checkInteractive = (path: (string | number)[], c: Obj): void => {
    if (c.type === ComponentType.Button) {
      p.maxLength([...path, 'label'], c.label, 80);
      if (c.style === ButtonStyle.Link) {
        p.required([...path, 'url'], c.url);
        if (c.custom_id !== undefined) p.add([...path, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED', 'A custom id cannot be set on link buttons');
      } else if (c.style === ButtonStyle.Premium) {
        p.required([...path, 'sku_id'], c.sku_id);
      } else if (typeof c.style !== 'number' || c.style < 1 || c.style > 6) {
        p.add([...path, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
      } else {
        checkId(path, c.custom_id);
      }
      return;
    }
    checkId(path, c.custom_id);
    p.maxLength([...path, 'placeholder'], c.placeholder, 150);
    if (c.type === ComponentType.StringSelect) {
      const options = Array.isArray(c.options) ? c.options : [];
      if (options.length < 1 || options.length > 25) p.add([...path, 'options'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 25 in length.');
    }
  };
  const walk = (path: (string | number)[], c: unknown): void => {
    if (!isObj(c)) return p.add(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    if (c.type === ComponentType.ActionRow) {
      const children = Array.isArray(c.components) ? c.components : [];
      const buttons = children.filter((x) => isObj(x) && x.type === ComponentType.Button).length;
      if (children.length < 1 || children.length > 5) {
        p.add([...path, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
      } else if (buttons !== children.length && children.length > 1) {
        p.add([...path, 'components'], 'COMPONENT_LAYOUT_WIDTH_EXCEEDED', 'The specified component exceeds the maximum width');
      }
      children.forEach((child, i) => (isObj(child) ? checkInteractive([...path, 'components', i], child) : walk([...path, 'components', i], child)));
      return;
    }
    if (!v2) return p.add([...path, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    if (typeof c.custom_id === 'string') checkInteractive(path, c);
    if (Array.isArray(c.components)) c.components.forEach((child, i) => walk([...path, 'components', i], child));
    if (isObj(c.accessory)) walk([...path, 'accessory'], c.accessory);
  };
  if (!v2 && components.length > 5) p.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  if (v2 && components.length > 40) p.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 40 or fewer in length.');
  components.forEach((c, i) => walk(['components', i], c));
  return components as APIMessageTopLevelComponent[];
}

function checkAttachmentRefs(p: Problems, refs: unknown): AttachmentRef[] | undefined {
  if (refs === undefined || refs === null) return undefined;
  if (!Array.isArray(refs)) {
    p.add(['attachments'], 'BASE_TYPE_LIST', 'Must be a list.');
    return undefined;
  }
  return refs.flatMap((r, i) => {
    if (!isObj(r) || (typeof r.id !== 'string' && typeof r.id !== 'number')) {
      p.add(['attachments', i, 'id'], 'BASE_TYPE_REQUIRED', 'This field is required');
      return [];
    }
    const ref: AttachmentRef = { id: String(r.id) };
    if (typeof r.filename === 'string') ref.filename = r.filename;
    if (typeof r.description === 'string') ref.description = r.description;
    p.maxLength(['attachments', i, 'description'], r.description, 1024);
    return [ref];
  });
}

/**
 * Validates a create/edit message body (JSON or `payload_json`) the way Discord does and returns the
 * normalised input. Throws 50035 with every field problem, or 50006 for a new message with nothing in it.
 */
export function parseMessageBody(body: unknown, files: UploadedFile[], { edit }: { edit: boolean }): MessageInput {
  const p = new Problems();
  if (!isObj(body)) throw invalidFormBody([{ path: [], code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' }]);
  const flags = body.flags === undefined || body.flags === null ? undefined : Number(body.flags);
  if (flags !== undefined && !Number.isInteger(flags)) p.add(['flags'], 'NUMBER_TYPE_COERCE', `Value "${String(body.flags)}" is not int.`);
  const v2 = flags !== undefined && (flags & MessageFlags.IsComponentsV2) !== 0;
  if (body.content !== undefined && body.content !== null) p.maxLength(['content'], body.content, 2000);
  if (v2 && (body.content || (Array.isArray(body.embeds) && body.embeds.length))) {
    const message = "The 'content' and 'embeds' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2";
    p.add(['content'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', message);
  }
  const input: MessageInput = { files };
  const embeds = checkEmbeds(p, body.embeds);
  const components = checkComponents(p, body.components, v2);
  const refs = checkAttachmentRefs(p, body.attachments);
  if (typeof body.content === 'string') input.content = body.content;
  else if (body.content === null) input.content = '';
  if (embeds) input.embeds = embeds;
  else if (body.embeds === null) input.embeds = [];
  if (components) input.components = components;
  else if (body.components === null) input.components = [];
  if (refs) input.attachmentRefs = refs;
  if (flags !== undefined && Number.isInteger(flags)) input.flags = flags & SENDABLE_FLAGS;
  if (typeof body.tts === 'boolean') input.tts = body.tts;
  if (body.allowed_mentions !== undefined) input.allowedMentions = body.allowed_mentions;
  if (isObj(body.message_reference)) input.messageReference = body.message_reference as unknown as APIMessageReference;
  p.throwIfAny();
  if (!edit) {
    const empty =
      !input.content &&
      !input.embeds?.length &&
      !input.components?.length &&
      !files.length &&
      !(Array.isArray(body.sticker_ids) && body.sticker_ids.length) &&
      !isObj(body.poll);
    if (empty) throw emptyMessage();
  }
  return input;
}

/** A modal (interaction response type 9) must have a custom id, a title and 1–5 top-level components. */
export function checkModal(data: unknown): APIModalInteractionResponseCallbackData {
  const p = new Problems();
  if (!isObj(data)) throw invalidFormBody([{ path: ['data'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
  if (p.required(['data', 'custom_id'], data.custom_id)) p.maxLength(['data', 'custom_id'], data.custom_id, 100);
  if (p.required(['data', 'title'], data.title)) p.maxLength(['data', 'title'], data.title, 45);
  const components = Array.isArray(data.components) ? data.components : [];
  if (components.length < 1 || components.length > 5) p.add(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  p.throwIfAny();
  return data as unknown as APIModalInteractionResponseCallbackData;
}

const NAME_RE = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * Validates a bulk-overwrite body (array of commands): names, descriptions, option order and counts, and
 * duplicates — the checks that make Discord reject a deploy with 50035.
 */
export function parseCommands(body: unknown): RESTPutAPIApplicationCommandsJSONBody {
  const p = new Problems();
  if (!Array.isArray(body)) throw invalidFormBody([{ path: [], code: 'BASE_TYPE_LIST', message: 'Must be a list.' }]);
  const seen = new Set<string>();
  const counts = new Map<number, number>();
  body.forEach((raw, i) => {
    if (!isObj(raw)) return p.add([i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    const type = typeof raw.type === 'number' ? raw.type : ApplicationCommandType.ChatInput;
    counts.set(type, (counts.get(type) ?? 0) + 1);
    const name = raw.name;
    if (p.required([i, 'name'], name)) {
      if (typeof name !== 'string' || [...name].length > 32) p.add([i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 32 in length.');
      else if (type === ApplicationCommandType.ChatInput && (!NAME_RE.test(name) || name !== name.toLowerCase())) {
        p.add([i, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      }
      const key = `${type}:${String(name)}`;
      if (seen.has(key)) p.add([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', 'Application command names must be unique');
      seen.add(key);
    }
    if (type === ApplicationCommandType.ChatInput) {
      if (p.required([i, 'description'], raw.description)) p.maxLength([i, 'description'], raw.description, 100);
    } else if (raw.description) {
      p.add([i, 'description'], 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', 'Context menu commands cannot have description');
    }
    checkOptions(p, [i, 'options'], raw.options, 0);
  });
  if ((counts.get(ApplicationCommandType.ChatInput) ?? 0) > 100) {
    p.add([], 'APPLICATION_COMMANDS_TOO_MANY', 'Maximum number of application commands reached (100)');
  }
  p.throwIfAny();
  return body as RESTPutAPIApplicationCommandsJSONBody;
}

function checkOptions(p: Problems, path: (string | number)[], options: unknown, depth: number): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) return p.add(path, 'BASE_TYPE_LIST', 'Must be a list.');
  if (options.length > 25) p.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  let optionalSeen = false;
  const names = new Set<string>();
  (options as APIApplicationCommandOption[]).forEach((o, j) => {
    const at = [...path, j];
    if (p.required([...at, 'name'], o.name)) {
      if (!NAME_RE.test(o.name) || o.name !== o.name.toLowerCase()) p.add([...at, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
      if (names.has(o.name)) p.add([...at, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option names must be unique');
      names.add(o.name);
    }
    if (p.required([...at, 'description'], o.description)) p.maxLength([...at, 'description'], o.description, 100);
    const nested = o.type === ApplicationCommandOptionType.Subcommand || o.type === ApplicationCommandOptionType.SubcommandGroup;
    if (nested) {
      if (depth >= 2) {
        const message = 'Sub-command and sub-command group option types are mutually exclusive to all other types';
        p.add([...at, 'type'], 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', message);
      }
      checkOptions(p, [...at, 'options'], 'options' in o ? o.options : undefined, depth + 1);
      return;
    }
    const required = 'required' in o && o.required === true;
    if (required && optionalSeen) {
      p.add([...at, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options');
    }
    if (!required) optionalSeen = true;
    const choices = 'choices' in o ? o.choices : undefined;
    if (Array.isArray(choices) && choices.length > 25) p.add([...at, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  });
}
