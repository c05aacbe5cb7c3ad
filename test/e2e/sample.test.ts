import { REST } from 'discord.js';
import { createE2EEchoActivities } from './echo-activities';
import { e2eEchoCommand } from './echo-command';
import { startE2E, type E2E } from './harness';

/**
 * The harness's own proof: a real slash command goes through an unmodified discord.js client (the bot),
 * starts a workflow on Temporal, whose activity answers through Discord's REST API — and the fake
 * Discord recorded what the member saw.
 */
describe('end to end: slash command → workflow → reply', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E({
      registry: { commands: [e2eEchoCommand], components: [] },
      worker: ({ discord }) => ({
        workflowsPath: require.resolve('../workflows/e2e-echo'),
        activities: createE2EEchoActivities(new REST({ api: discord.restUrl }).setToken(discord.token)),
      }),
    });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('the bot registered its commands and the guild was recorded', async () => {
    expect(e2e.discord.commands().map((c) => c.name)).toEqual(['e2e-echo']);
    const guild = await e2e.prisma.guild.findUnique({ where: { id: e2e.demo.guild.id }, include: { settings: true } });
    expect(guild).toMatchObject({ name: 'Guildflow Demo', ownerId: e2e.demo.owner.id });
    expect(guild?.settings).not.toBeNull();
  });

  it('answers /e2e-echo through a workflow, ephemerally', async () => {
    const interaction = e2e.discord.slash(e2e.demo.guild.id, e2e.demo.member.id, 'e2e-echo', { text: 'hello guild' });
    const workflowId = `e2e-echo:${interaction.id}`;
    // The bot starts the workflow after it has deferred: wait for it to exist and finish.
    await e2e.waitForWorkflow(workflowId, 'COMPLETED');
    await expect(e2e.workflowResult(workflowId)).resolves.toBe('echo: hello guild');

    const responses = await e2e.discord.waitFor(
      () => {
        const r = e2e.discord.interactionResponses(interaction.id);
        return r.some((x) => x.kind === 'edit') ? r : undefined;
      },
      5000,
      'the edited reply',
    );
    expect(responses.map((r) => r.kind)).toEqual(['callback', 'edit']);
    expect(responses[0]).toMatchObject({ type: 5, ephemeral: true });
    expect(responses[1]).toMatchObject({ target: 'original', data: { content: 'echo: hello guild' } });
    // What the member sees: the deferred ephemeral message, now with the workflow's answer.
    const shown = e2e.discord.message(responses[1]!.messageId!);
    expect(shown?.content).toBe('echo: hello guild');
  });
});

describe('end to end: Guildflow as its own process', () => {
  let e2e: E2E;

  beforeAll(async () => {
    e2e = await startE2E({ mode: 'child-process' });
  });

  afterAll(async () => {
    await e2e?.close();
  });

  it('connects its bot to the gateway, registers the command registry and records the guild', async () => {
    expect(e2e.discord.connectedSessions()).toBe(1);
    await e2e.discord.waitFor(() => e2e.discord.requests().some((r) => r.method === 'PUT' && r.route.endsWith('/commands')), 5000, 'the command registration');
    const row = await e2e.prisma.guild.findUnique({ where: { id: e2e.demo.guild.id } });
    expect(row?.name).toBe('Guildflow Demo');
    const ready = (await (await fetch(`${e2e.apiUrl}/ready`)).json()) as { status: string };
    expect(ready.status).toBe('ready');
  });
});
