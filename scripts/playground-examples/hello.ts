/**
 * `npm run playground -- scripts/playground-examples/hello.ts`: checks the API, lists the commands the bot
 * registered and runs /balance as the demo member, printing what Discord showed them. Copy it to drive
 * your own flows.
 */
import type { Playground } from '../playground-stack';

export default async function hello({ discord, demo, slash, api }: Playground): Promise<void> {
  const health = (await (await fetch(`${api}/ready`)).json()) as unknown;
  console.log('API readiness:', JSON.stringify(health));
  const registered = discord.commands().map((c) => c.name);
  console.log('commands the bot registered:', registered.map((n) => `/${n}`).join(' ') || '(none yet)');
  if (!registered.includes('balance')) {
    console.log('/balance is not registered yet: nothing to run.');
    return;
  }
  const interaction = slash('balance');
  const answer = await discord.waitFor(() => discord.interactionResponses(interaction.id)[0], 5000, 'an answer');
  console.log(`${demo.member.username} ran /balance and saw:`, JSON.stringify(answer.data));
}
