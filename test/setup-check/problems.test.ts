import { PermissionFlagsBits as P } from 'discord-api-types/v10';
import { channelPermissions, checkSetup, type CheckInput, type FeatureNeeds } from '../../lib/discord/setup-check';

/** The pure check: Discord's permission computation and the problems (with fixes) it turns into. */

const guildId = '100';
const everyone = { id: guildId, name: '@everyone', position: 0, permissions: P.ViewChannel | P.SendMessages };
const botRole = { id: '200', name: 'Guildflow', position: 3, permissions: P.EmbedLinks | P.ManageRoles | P.ManageNicknames };
const vip = { id: '300', name: 'VIP', position: 5, permissions: 0n };
const member = { id: '301', name: 'Member', position: 1, permissions: 0n };
const bot = { userId: '900', roleIds: [botRole.id] };
const channel = (id: string, overwrites: CheckInput['channels'][number]['overwrites'] = []) => ({ id, name: `c${id}`, overwrites });
const feature = (f: Partial<FeatureNeeds>): FeatureNeeds => ({ feature: 'F', channels: [], roles: [], permissions: [], ...f });
const base = { guildId, roles: [everyone, botRole, vip, member], bot };

describe('channelPermissions', () => {
  it('applies @everyone, then the role overwrites (deny before allow), then the member overwrite', () => {
    const ch = channel('1', [
      { id: guildId, type: 0, allow: 0n, deny: P.SendMessages | P.ViewChannel },
      { id: botRole.id, type: 0, allow: P.ViewChannel, deny: P.EmbedLinks },
      { id: bot.userId, type: 1, allow: P.SendMessages, deny: 0n },
    ]);
    const perms = channelPermissions(base, ch);
    expect([P.ViewChannel, P.SendMessages, P.EmbedLinks].map((p) => (perms & p) !== 0n)).toEqual([true, true, false]);
  });

  it('Administrator overrides every overwrite', () => {
    const admin = { ...botRole, permissions: P.Administrator };
    const ch = channel('1', [{ id: botRole.id, type: 0, allow: 0n, deny: P.ViewChannel }]);
    expect(channelPermissions({ guildId, roles: [everyone, admin], bot }, ch) & P.ViewChannel).toBe(P.ViewChannel);
  });
});

describe('checkSetup', () => {
  it('a channel missing permissions names each one (Manage Messages only where it pins) with the fix', () => {
    const ch = channel('1', [{ id: guildId, type: 0, allow: 0n, deny: P.SendMessages }]);
    const [report] = checkSetup({ ...base, channels: [ch], features: [feature({ channels: [{ channelId: '1', use: 'admin log channel' }, { channelId: '1', use: 'announcement channel', pins: true }] })] });
    expect(report!.problems).toEqual([
      'Give Guildflow *Send Messages* in <#1> (the admin log channel: channel settings → Permissions).',
      'Give Guildflow *Send Messages*, *Manage Messages* in <#1> (the announcement channel: channel settings → Permissions).',
    ]);
  });

  it('a channel or role that no longer exists is a problem of its own', () => {
    const [report] = checkSetup({ ...base, channels: [], features: [feature({ channels: [{ channelId: '9', use: 'task channel' }], roles: [{ roleId: '8', use: 'verified role' }] })] });
    expect(report!.problems).toEqual([
      'The task channel (id 9) no longer exists: choose another channel for it.',
      'The verified role (id 8) no longer exists: choose another role for it.',
    ]);
  });

  it('a role at or above Guildflow’s highest role must move below it; one below is fine', () => {
    const reports = checkSetup({ ...base, channels: [], features: [feature({ roles: [{ roleId: vip.id, use: 'role of shop item “VIP”' }, { roleId: member.id, use: 'verified role' }] })] });
    expect(reports[0]!.problems).toEqual(['Move Guildflow\'s role (@Guildflow) above <@&300> (Server Settings → Roles): it is the role of shop item “VIP”, and Guildflow can only give roles below its own.']);
  });

  it('Manage Roles is needed only by features that manage roles; guild permissions are named with why', () => {
    const weak = { ...botRole, permissions: 0n };
    const reports = checkSetup({
      guildId,
      roles: [everyone, weak, member],
      bot,
      channels: [channel('1')],
      features: [
        feature({ feature: 'Verification', roles: [{ roleId: member.id, use: 'verified role' }], permissions: [{ permission: 'ManageNicknames', use: 'verification sets nicknames' }] }),
        feature({ feature: 'Admin log', channels: [{ channelId: '1', use: 'admin log channel' }] }),
      ],
    });
    expect(reports).toEqual([
      {
        feature: 'Verification',
        problems: [
          'Give Guildflow\'s role (@Guildflow) the *Manage Roles* permission (Server Settings → Roles): it gives and takes the verified role.',
          'Give Guildflow\'s role (@Guildflow) the *Manage Nicknames* permission (Server Settings → Roles): verification sets nicknames.',
        ],
      },
      { feature: 'Admin log', problems: ['Give Guildflow *Embed Links* in <#1> (the admin log channel: channel settings → Permissions).'] },
    ]);
  });

  it('a pinged role that is not mentionable needs Mention Everyone in the channel; a mentionable one does not', () => {
    const ping = (roleId: string) => feature({ channels: [{ channelId: '1', use: 'announcement channel', pingsRoleId: roleId }] });
    const loud = { ...member, id: '302', mentionable: true };
    const [quiet, fine, gone] = checkSetup({ ...base, roles: [...base.roles, loud], channels: [channel('1')], features: [ping(member.id), ping(loud.id), ping('777')] });
    expect(quiet!.problems).toEqual(['Make <@&301> mentionable (Server Settings → Roles) or give Guildflow *Mention @everyone, @here and All Roles* in <#1>: the announcement channel pings it, and the ping would not notify anyone.']);
    expect(fine!.problems).toEqual([]);
    expect(gone!.problems).toEqual(['The role the announcement channel pings (id 777) no longer exists: choose another role to ping.']);
    const allowed = channel('1', [{ id: botRole.id, type: 0, allow: P.MentionEveryone, deny: 0n }]);
    expect(checkSetup({ ...base, channels: [allowed], features: [ping(member.id)] })[0]!.problems).toEqual([]);
  });

  it('nothing wrong: no problems', () => {
    expect(checkSetup({ ...base, channels: [channel('1')], features: [feature({ channels: [{ channelId: '1', use: 'admin log channel' }], roles: [{ roleId: member.id, use: 'verified role' }] })] })).toEqual([{ feature: 'F', problems: [] }]);
  });
});
