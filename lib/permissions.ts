/** Permission levels per guild, lowest first: an actor may act at or below their own level. */
export const PERMISSION_LEVELS = ['user', 'mod', 'admin', 'owner'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

function levelRank(level: PermissionLevel): number {
  return PERMISSION_LEVELS.indexOf(level);
}

export function atLeast(actual: PermissionLevel, required: PermissionLevel): boolean {
  return levelRank(actual) >= levelRank(required);
}

/**
 * A member's level from the guild's owner and the configured admin/mod roles. Discord's Administrator
 * permission also counts as admin, as server admins expect.
 */
export function memberLevel(input: {
  userId: string;
  guildOwnerId: string;
  roleIds: readonly string[];
  adminRoleIds: readonly string[];
  modRoleIds: readonly string[];
  hasAdministratorPermission?: boolean;
}): PermissionLevel {
  if (input.userId === input.guildOwnerId) return 'owner';
  if (input.hasAdministratorPermission || input.roleIds.some((r) => input.adminRoleIds.includes(r))) return 'admin';
  if (input.roleIds.some((r) => input.modRoleIds.includes(r))) return 'mod';
  return 'user';
}
