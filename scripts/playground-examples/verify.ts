/**
 * `npm run playground -- scripts/playground-examples/verify.ts`: a member links their Roblox account. The
 * admin names the verified and unverified roles; the member runs /verify, puts the phrase they are shown in
 * their Roblox profile's About and presses Check: @Verified on, @Unverified off, the Roblox name as nickname.
 */
import { verifyWorkflowId } from '../../lib/flows/verify';
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

const ROBLOX_NAME = 'builderman';

export default async function verify(playground: Playground): Promise<{ workflowIds: string[]; robloxId: number }> {
  const { discord, roblox, demo } = playground;
  const { guild, roles, channels, member } = demo;
  const { say, slash, press, flow, api, nameOf } = transcript(playground);

  say('> Admin (API): PATCH /settings — verified role @Verified, unverified role @Unverified, admin log #admin-log');
  await api('PATCH', '/settings', { verifiedRoleId: roles.verified.id, unverifiedRoleId: roles.unverified.id, adminLogChannelId: channels.adminLog.id });

  const account = roblox.addUser({ name: ROBLOX_NAME, displayName: 'Builderman', description: 'Building things since 2006.' });
  say(`(The member's Roblox account: ${account.name}, id ${account.id}; its About says "${account.description}".)`);

  const verifying = await slash(member.id, 'verify', undefined, { username: ROBLOX_NAME });
  const shown = verifying.original();
  const phrase = /```\n([a-z ]+)\n```/.exec(shown?.embeds[0]?.description ?? '')?.[1];
  if (!shown || !phrase) throw new Error(`/verify did not show a phrase: ${JSON.stringify(shown?.embeds)}`);

  say(`(The member pastes the phrase into their Roblox profile's About: "${phrase}".)`);
  roblox.setDescription(account.id, phrase);
  // Check answers once the flow has linked the account, given and taken the roles and set the nickname
  // (or undone them and said why).
  await press(shown, buttonId(shown, 'Check'), member.id, 'Check');
  const after = discord.member(guild.id, member.id);
  say(`Member's roles: ${after?.roles.map(nameOf).join(', ') || '(none)'}; nickname: ${after?.nick ?? '(none)'}`);
  const workflowId = verifyWorkflowId(guild.id, member.id);
  flow(workflowId);
  return { workflowIds: [workflowId], robloxId: account.id };
}
