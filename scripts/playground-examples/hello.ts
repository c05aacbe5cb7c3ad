/**
 * `npm run playground -- scripts/playground-examples/hello.ts`: a member runs a command and we print what
 * Discord showed them. Copy it to drive your own flows.
 */
import type { Playground } from '../playground';

export default async function hello({ discord, demo, slash, api }: Playground): Promise<void> {
  const health = (await (await fetch(`${api}/ready`)).json()) as unknown;
  console.log('API readiness:', JSON.stringify(health));
  console.log('commands the bot registered:', discord.commands().map((c) => `/${c.name}`).join(' ') || '(none yet)');
  const interaction = slash('balance');
  const answer = await discord.waitFor(() => discord.interactionResponses(interaction.id)[0], 5000, 'an answer');
  console.log(`${demo.member.username} ran /balance and saw:`, JSON.stringify(answer.data));
}
