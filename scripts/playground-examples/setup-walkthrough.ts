/**
 * `npm run playground -- scripts/playground-examples/setup-walkthrough.ts`: a new server set up from
 * Discord alone. The owner opens `/setup wizard` and names the staff roles, verification roles and
 * channels; the admin then switches a feature off, posts the panels, runs `/setup check` and a member reads
 * `/help`. Prints each step and what Discord showed, as a transcript.
 */
import { FEATURE_SWITCHES } from '../../lib/requests/guild-settings';
import type { MessageRecord } from '../../test/fakes/discord';
import type { Playground } from '../playground-stack';
import { transcript } from './transcript';

export default async function setupWalkthrough(playground: Playground): Promise<void> {
  const { discord, demo } = playground;
  const { guild, roles, channels, owner, admin, member } = demo;
  const { show, say, slash, press, nameOf } = transcript(playground);

  /** Picks values in a menu of the wizard message and returns the wizard as it is afterwards. */
  async function pick(message: MessageRecord, customId: string, userId: string, values: string[]): Promise<MessageRecord> {
    say(`> ${userId === owner.id ? 'Owner' : 'Admin'} picks ${values.map(nameOf).join(', ') || '(nothing)'} in ${customId}`);
    await discord.selectMenu(message, customId, userId, values).waitForResponse(30_000);
    return discord.message(message.id)!;
  }
  async function page(message: MessageRecord, customId: string, userId: string): Promise<MessageRecord> {
    await press(message, customId, userId);
    const now = discord.message(message.id)!;
    show(now);
    return now;
  }

  console.log(`A new server, "${guild.name}": nothing is configured, so only its owner can set Guildflow up`);
  console.log('(Discord does not even show /setup to members: it needs Manage Server).');

  let wizard = (await slash(owner.id, 'setup', 'wizard')).original()!;
  wizard = await pick(wizard, 'gf:setup-wizard:adminRoles', owner.id, [roles.admin.id]);
  wizard = await pick(wizard, 'gf:setup-wizard:modRoles', owner.id, [roles.mod.id]);
  wizard = await pick(wizard, 'gf:setup-wizard:verifiedRole', owner.id, [roles.verified.id]);
  wizard = await pick(wizard, 'gf:setup-wizard:unverifiedRole', owner.id, [roles.unverified.id]);
  show(wizard);

  console.log('\nThe admin role is set: the admin carries on.');
  wizard = (await slash(admin.id, 'setup', 'wizard')).original()!;
  wizard = await page(wizard, 'gf:setup-page:channels', admin.id);
  wizard = await pick(wizard, 'gf:setup-wizard:adminLog', admin.id, [channels.adminLog.id]);
  wizard = await pick(wizard, 'gf:setup-wizard:taskChannel', admin.id, [channels.tasks.id]);
  wizard = await pick(wizard, 'gf:setup-wizard:reviewChannel', admin.id, [channels.adminLog.id]);
  show(wizard);
  wizard = await page(wizard, 'gf:setup-page:posts', admin.id);
  wizard = await pick(wizard, 'gf:setup-wizard:leaderboard', admin.id, [channels.general]);
  wizard = await pick(wizard, 'gf:setup-wizard:shopPosts', admin.id, [channels.shop.id]);
  show(wizard);

  const switches = (await slash(admin.id, 'setup', 'features')).original()!;
  const stayOn = FEATURE_SWITCHES.filter((f) => f !== 'trades');
  console.log(`\n> Admin keeps on ${stayOn.join(', ')} (trades off)`);
  await discord.selectMenu(switches, 'gf:setup-features:', admin.id, [...stayOn]).waitForResponse(30_000);
  show(discord.message(switches.id)!);

  await slash(admin.id, 'setup', 'verification', { channel: channels.general });
  await slash(admin.id, 'setup', 'shop-panel', { channel: channels.shop.id });
  // A common mistake: someone drags the Verified role above Guildflow's own role.
  const botRole = () => discord.roles(guild.id).find((r) => r.id === guild.botRoleId)!;
  discord.updateRole(guild.id, roles.verified.id, { position: botRole().position });
  console.log('\n(Someone moves @Verified above Guildflow’s role in Server Settings → Roles.)');
  await slash(admin.id, 'setup', 'check');
  discord.setBotRolePosition(guild.id, discord.roles(guild.id).length);
  console.log('\n(The admin follows the fix: Guildflow’s role back on top.)');
  await slash(admin.id, 'setup', 'check');

  console.log('\nMembers see what is on:');
  await slash(member.id, 'withdraw', undefined, {});
  await slash(member.id, 'help');
}
