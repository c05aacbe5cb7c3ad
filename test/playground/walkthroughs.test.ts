import { waitFor } from '../../lib/wait';
import { startTestPlayground, type TestPlayground } from './helpers';

/** The first two example scripts, run as `npm run playground -- scripts/playground-examples/<name>.ts` runs them. */
describe('playground examples: hello and the setup walkthrough', () => {
  let pg: TestPlayground;
  beforeAll(async () => {
    pg = await startTestPlayground();
  });
  afterAll(() => pg?.close());

  it('hello: the API is ready and the member sees their balance', async () => {
    const { output } = await pg.runExample('hello');
    expect(output).toMatch(/API readiness: .*"ok":true/);
    expect(output).toMatch(/commands the bot registered: .*\/balance/);
    expect(output).toMatch(/demo-member ran \/balance and saw:/);
  });

  it('setup walkthrough: the owner and the admin set the server up from Discord', async () => {
    const { playground: p } = pg;
    const { output } = await pg.runExample('setup-walkthrough');
    const settings = await p.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: p.demo.guild.id } });
    expect(settings).toMatchObject({
      adminRoleIds: [p.demo.roles.admin.id],
      verifiedRoleId: p.demo.roles.verified.id,
      adminLogChannelId: p.demo.channels.adminLog.id,
      disabledFeatures: ['trades'],
    });
    expect(output).toContain('> Owner picks @Admin in gf:setup-wizard:adminRoles');
    expect(output).toMatch(/switched off in this server/);
  });

  it('no flow the examples started ended as a Temporal failure', async () => {
    expect(await pg.brokenWorkflows()).toEqual([]);
  });

  it('the check above sees a flow that did not complete', async () => {
    // Delayed, so no worker picks it up before it is terminated.
    const handle = await pg.temporal.workflow.start('notAWorkflow', { taskQueue: pg.taskQueue, workflowId: `playground-probe-${Date.now()}`, args: [], startDelay: '1 hour' });
    await handle.terminate('probe');
    // Visibility lags the terminate by a moment.
    const broken = await waitFor(async () => (await pg.brokenWorkflows()).find((w) => w.workflowId === handle.workflowId), { timeoutMs: 10_000, what: 'the terminated probe in the list' });
    expect(broken.status).toBe('TERMINATED');
  });
});
