import { addGrant, grantsHeld, holdsGrant, listGrants, removeGrant } from '../../activities/grants';
import { commands, components } from '../../bot/commands';
import { GRANTS, refusal } from '../../lib/grants';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, snowflake } from '../helpers/ledger';

const ADMIN = { actorType: 'user', actorId: 'discord:100000000000000001' } as const;

describe('grants service', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const audits = (guildId: string) =>
    db.prisma.auditEvent.findMany({ where: { guildId, action: { startsWith: 'grant.' } }, orderBy: { id: 'asc' }, select: { action: true, actorId: true, targetType: true, targetId: true, data: true } });

  it('granting twice is one row and one audit event; removing audits and takes it away; removing again is 404', async () => {
    const guildId = await createGuild(db.prisma);
    const member = snowflake();
    const input = { permission: 'manage_shop', subjectType: 'user', subjectId: member } as const;

    const first = await addGrant(db.prisma, guildId, input, ADMIN);
    const again = await addGrant(db.prisma, guildId, input, { actorType: 'api_token', actorId: 'token:abc' });
    expect([first.added, again.added]).toEqual([true, false]);
    expect(again.grant.id).toBe(first.grant.id);
    expect(await db.prisma.memberGrant.count({ where: { guildId } })).toBe(1);
    expect(await holdsGrant(db.prisma, guildId, member, [], 'manage_shop')).toBe(true);
    expect(await holdsGrant(db.prisma, guildId, member, [], 'review_tasks')).toBe(false);

    const removed = await removeGrant(db.prisma, guildId, input, ADMIN);
    expect(removed.id).toBe(first.grant.id);
    expect(await holdsGrant(db.prisma, guildId, member, [], 'manage_shop')).toBe(false);
    await expect(removeGrant(db.prisma, guildId, { id: first.grant.id }, ADMIN)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(removeGrant(db.prisma, guildId, input, ADMIN)).rejects.toMatchObject({ status: 404 });

    expect(await audits(guildId)).toEqual([
      { action: 'grant.added', actorId: ADMIN.actorId, targetType: 'user', targetId: member, data: { grantId: first.grant.id, permission: 'manage_shop' } },
      { action: 'grant.removed', actorId: ADMIN.actorId, targetType: 'user', targetId: member, data: { grantId: first.grant.id, permission: 'manage_shop' } },
    ]);
  });

  it('concurrent grants of the same permission end with one row and one audit event', async () => {
    const guildId = await createGuild(db.prisma);
    const role = snowflake();
    const input = { permission: 'review_tasks', subjectType: 'role', subjectId: role } as const;
    const results = await Promise.all(Array.from({ length: 5 }, () => addGrant(db.prisma, guildId, input, ADMIN)));
    expect(results.filter((r) => r.added)).toHaveLength(1);
    expect(await db.prisma.memberGrant.count({ where: { guildId } })).toBe(1);
    expect(await audits(guildId)).toHaveLength(1);
  });

  it('a role’s grant is held by its members; list filters by holder; grants stay in their guild; @everyone is refused', async () => {
    const guildId = await createGuild(db.prisma);
    const other = await createGuild(db.prisma);
    const [alice, bob, shopkeepers] = [snowflake(), snowflake(), snowflake()];
    await addGrant(db.prisma, guildId, { permission: 'manage_shop', subjectType: 'role', subjectId: shopkeepers }, ADMIN);
    await addGrant(db.prisma, guildId, { permission: 'review_tasks', subjectType: 'user', subjectId: bob }, ADMIN);
    await addGrant(db.prisma, other, { permission: 'review_tasks', subjectType: 'user', subjectId: alice }, ADMIN);

    expect(await holdsGrant(db.prisma, guildId, alice, [shopkeepers], 'manage_shop')).toBe(true);
    expect(await holdsGrant(db.prisma, guildId, alice, [], 'manage_shop')).toBe(false);
    expect(await holdsGrant(db.prisma, guildId, alice, [shopkeepers], 'review_tasks')).toBe(false);
    expect((await grantsHeld(db.prisma, guildId, bob, [shopkeepers])).sort()).toEqual(['manage_shop', 'review_tasks']);
    expect((await listGrants(db.prisma, guildId, { holder: { userId: alice, roleIds: [shopkeepers] } })).map((g) => g.permission)).toEqual(['manage_shop']);
    expect(await listGrants(db.prisma, guildId)).toHaveLength(2);

    await expect(addGrant(db.prisma, guildId, { permission: 'manage_shop', subjectType: 'role', subjectId: guildId }, ADMIN)).rejects.toMatchObject({ status: 400, code: 'everyone_refused' });
    expect(await db.prisma.memberGrant.count({ where: { guildId } })).toBe(2);
  });

  it('every command and component that names a grant declares the level the grant stands for', () => {
    const declared = [...commands.map((c) => ({ name: `/${c.data.name}`, ...c })), ...components.map((c) => ({ name: c.action, ...c }))].filter((h) => h.grant);
    expect(declared.length).toBeGreaterThan(0);
    for (const h of declared) expect({ name: h.name, level: h.level }).toEqual({ name: h.name, level: GRANTS[h.grant!].standsFor });
  });

  it('refusals name the level and the grant that would do', () => {
    expect(refusal({ level: 'admin', grant: 'manage_shop' }, 'user')).toBe('Only a server admin or a member with the Manage shop grant can do this (you are user).');
    expect(refusal({ level: 'mod', grant: 'review_tasks' }, 'user')).toBe('Only a server mod or above, or a member with the Review tasks grant can do this (you are user).');
    expect(refusal({ level: 'admin' }, 'mod')).toBe('Only a server admin or above can do this (you are mod).');
  });
});
