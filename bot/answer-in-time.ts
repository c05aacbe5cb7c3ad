import type { Message, MessageComponentInteraction, MessageFlags } from 'discord.js';
import { AppError } from '../lib/errors';

/** Discord drops an interaction not acknowledged within 3 s; this leaves a second for the acknowledgement itself. */
const ACKNOWLEDGE_COMPONENTS_AFTER_MS = 2_000;

type Flags = number | MessageFlags | readonly (keyof typeof MessageFlags | MessageFlags)[] | string;

/**
 * A button or menu handler that has not answered after `afterMs` (a loaded database, Temporal slow to
 * answer) would show "This interaction failed" although it goes on and does the work. So the router
 * acknowledges for it (deferUpdate: the message stays as it is), and the handler's own answer is then sent
 * the way Discord takes it after an acknowledgement:
 * - update → edit of the message (editReply);
 * - reply → a follow-up (ephemeral as asked);
 * - deferReply, then editReply → one follow-up (ephemeral as asked), edited by later editReply calls;
 * - deferUpdate → nothing more to send;
 * - showModal → impossible after an acknowledgement: a clear refusal (press again).
 * Handlers keep answering as usual; answers never race the acknowledgement (each waits for it).
 * Returns the function that stops the timer once the handler is done.
 */
export function answerInTime(interaction: MessageComponentInteraction, afterMs = ACKNOWLEDGE_COMPONENTS_AFTER_MS): () => void {
  const own = {
    update: interaction.update.bind(interaction),
    reply: interaction.reply.bind(interaction),
    deferUpdate: interaction.deferUpdate.bind(interaction),
    deferReply: interaction.deferReply.bind(interaction),
    editReply: interaction.editReply.bind(interaction),
    followUp: interaction.followUp.bind(interaction),
    showModal: interaction.showModal.bind(interaction),
  };
  let answered = false;
  /** Our acknowledgement, once sent: every later answer waits for it. */
  let ours: Promise<unknown> | null = null;
  /** The handler's own deferred reply after ours: its flags, and the follow-up that stands for it. */
  let deferredReply: { flags: Flags | undefined; message?: Message } | null = null;

  const timer = setTimeout(() => {
    if (answered) return;
    answered = true;
    // A failed acknowledgement makes the handler's answer fail too, where the router logs it.
    ours = own.deferUpdate().catch(() => undefined);
  }, afterMs);
  const first = <T>(send: () => Promise<T>): Promise<T> => {
    answered = true;
    clearTimeout(timer);
    return send();
  };
  const afterOurs = async <T>(send: () => Promise<T>): Promise<T> => {
    await ours;
    return send();
  };
  const withFlags = (options: unknown, flags: Flags | undefined) => (typeof options === 'string' ? { content: options, flags } : { ...(options as object), flags }) as Parameters<typeof own.followUp>[0];

  const patched: Partial<Record<keyof typeof own, unknown>> = {
    update: ((options: Parameters<typeof own.update>[0]) => (ours ? afterOurs(() => own.editReply(options as Parameters<typeof own.editReply>[0])) : first(() => own.update(options)))) as typeof own.update,
    reply: ((options: Parameters<typeof own.reply>[0]) => (ours ? afterOurs(() => own.followUp(options as Parameters<typeof own.followUp>[0])) : first(() => own.reply(options)))) as typeof own.reply,
    deferUpdate: ((options?: Parameters<typeof own.deferUpdate>[0]) => (ours ? ours : first(() => own.deferUpdate(options)))) as typeof own.deferUpdate,
    deferReply: ((options?: Parameters<typeof own.deferReply>[0]) => {
      if (!ours) return first(() => own.deferReply(options));
      deferredReply = { flags: options?.flags as Flags | undefined };
      return ours;
    }) as typeof own.deferReply,
    editReply: ((options: Parameters<typeof own.editReply>[0]) => {
      const reply = deferredReply;
      if (!reply) return own.editReply(options);
      return afterOurs(async () => {
        if (reply.message) return interaction.webhook.editMessage(reply.message, options as Parameters<typeof interaction.webhook.editMessage>[1]);
        reply.message = await own.followUp(withFlags(options, reply.flags));
        return reply.message;
      });
    }) as typeof own.editReply,
    showModal: ((...args: Parameters<typeof own.showModal>) =>
      ours ? Promise.reject(new AppError('too_slow', 'That took too long to open the form: press the button again.')) : first(() => own.showModal(...args))) as typeof own.showModal,
  };
  Object.assign(interaction, patched);
  return () => clearTimeout(timer);
}
