import { atLeast, type PermissionLevel } from './permissions';

/**
 * Named permissions an owner or admin gives a member or a role (/grant, /api/guilds/:g/grants), each
 * unlocking one thing that otherwise needs a level. A command, component or route declares the grant
 * beside its `level`; `mayAct` decides. Pure: the task claim's update validators use it too.
 */
export const GRANTS = {
  // Reviewing needs the server's reviewer level (mod at the lowest, admin by default); the grant opens it
  // whatever that level is.
  review_tasks: {
    label: 'Review tasks',
    description: 'Accept, reject and revoke task proofs and read the review queue, whatever reviewer level the server set.',
    standsFor: 'mod',
  },
  manage_shop: {
    label: 'Manage shop',
    description: 'Add, edit and remove shop items: price, stock, category, roles (/shop-admin and the shop API).',
    standsFor: 'admin',
  },
  manage_announcements: {
    label: 'Manage announcements',
    description: 'Write, schedule, edit, cancel and unpin announcements and saved embeds, role pings included (/announce, /embed and their API).',
    standsFor: 'admin',
  },
  // Hosting is open to mods and to the pads' host roles; the grant opens it to one member.
  host_sessions: {
    label: 'Host sessions',
    description: 'Start training and tryout sessions on the pads (/training start, /tryout start), as a host role does.',
    standsFor: 'mod',
  },
  // Ticket staff are the type's staff roles and mods; the grant makes one member staff of every type.
  manage_tickets: {
    label: 'Manage tickets',
    description: 'Claim, close, rename tickets and add or remove their members, for every ticket type, as its staff roles do.',
    standsFor: 'mod',
  },
} as const satisfies Record<string, { label: string; description: string; standsFor: PermissionLevel }>;

export type GrantName = keyof typeof GRANTS;
export const GRANT_NAMES = Object.keys(GRANTS) as GrantName[];

export function isGrantName(value: string): value is GrantName {
  return Object.hasOwn(GRANTS, value);
}

/** What an action needs: a level, or (when it names one) the grant that stands in for it. */
export interface Need {
  level: PermissionLevel;
  grant?: GrantName;
}

/** What the actor has: their level and the grants they hold (directly or through a role). */
export interface Holding {
  level: PermissionLevel;
  grants: readonly GrantName[];
}

export function mayAct(holding: Holding, need: Need): boolean {
  return atLeast(holding.level, need.level) || (need.grant !== undefined && holding.grants.includes(need.grant));
}

/** Who may do it, for a refusal: "a server admin or a member with the Manage shop grant". */
export function whoMay(need: Need): string {
  if (!need.grant) return `a server ${need.level} or above`;
  const grant = `a member with the ${GRANTS[need.grant].label} grant`;
  return need.level === 'admin' || need.level === 'owner' ? `a server ${need.level} or ${grant}` : `a server ${need.level} or above, or ${grant}`;
}

/** The refusal the bot and the API answer with. */
export function refusal(need: Need, actual: PermissionLevel): string {
  return `Only ${whoMay(need)} can do this (you are ${actual}).`;
}
