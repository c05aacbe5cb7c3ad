import { Routes, type REST } from 'discord.js';

/** Test-only activity of the e2e sample: edits the deferred reply through Discord's REST API. */
export function createE2EEchoActivities(rest: REST) {
  return {
    async editOriginalReply(applicationId: string, interactionToken: string, content: string): Promise<void> {
      await rest.patch(Routes.webhookMessage(applicationId, interactionToken, '@original'), { body: { content }, auth: false });
    },
  };
}

export type E2EEchoActivities = ReturnType<typeof createE2EEchoActivities>;
