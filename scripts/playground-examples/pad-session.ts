/**
 * `npm run playground -- scripts/playground-examples/pad-session.ts`: a training on a pad. The admin names
 * the sessions channel and a host role; a host starts a training on pad 1, a second host finds the pad taken,
 * `/pads` shows the board, and the host ends the session with the announcement's End session button.
 */
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

const PAD = 1;

export default async function padSession(playground: Playground): Promise<{ workflowIds: string[]; announcementId: string; hostId: string }> {
  const { discord, demo } = playground;
  const { guild, admin, mod, channels, roles } = demo;
  const { say, show, slash, press, flow, api } = transcript(playground);

  say('> Admin (API): PATCH /settings: @Admin is the admin role, @Moderator the mod role');
  await api('PATCH', '/settings', { adminRoleIds: [roles.admin.id], modRoleIds: [roles.mod.id] });
  // A member with the host role may host too; the demo's member gets it in Server Settings.
  const hostRole = discord.roles(guild.id).find((r) => r.name === 'Host') ?? discord.createRole(guild.id, { name: 'Host' });
  discord.addMember(guild.id, demo.member.id, { roles: [...(discord.member(guild.id, demo.member.id)?.roles ?? []), hostRole.id] });
  say('(The server has a @Host role; the member has it.)');
  await slash(admin.id, 'pad-settings', undefined, { channel: channels.general, add_host_role: hostRole.id, training_max: '2h', reminder: '10m' });

  await slash(mod.id, 'training', 'start', { pad: PAD, description: 'Cadet drills: formations and radio calls' });
  const workflowId = `pad:${guild.id}:${PAD}`;
  flow(workflowId);
  const announcement = await discord.waitFor(
    () => discord.messages(channels.general).find((m) => m.embeds[0]?.title === `Training on pad ${PAD}`),
    15_000,
    'the announcement',
  );
  say('#general shows:');
  show(announcement);

  await slash(demo.member.id, 'tryout', 'start', { pad: PAD });
  await slash(demo.member.id, 'pads');

  await press(announcement, buttonId(announcement, 'End session'), mod.id, 'End session');
  const ended = await discord.waitFor(() => {
    const m = discord.message(announcement.id);
    return m?.embeds[0]?.title?.endsWith('ended') ? m : undefined;
  }, 15_000, 'the announcement to say the session ended');
  say('The announcement now reads:');
  show(ended);
  return { workflowIds: [workflowId], announcementId: announcement.id, hostId: mod.id };
}
