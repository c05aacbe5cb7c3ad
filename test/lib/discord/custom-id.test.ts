import { customId, parseCustomId } from '../../../lib/discord/custom-id';
import { guildflowEmbed, OUTCOME_COLOURS } from '../../../lib/discord/embeds';

describe('custom ids', () => {
  it('round-trips action and key, keys may contain colons', () => {
    const id = customId('task-accept', 'task:42:100000000000000001');
    expect(id).toBe('gf:task-accept:task:42:100000000000000001');
    expect(parseCustomId(id)).toEqual({ action: 'task-accept', key: 'task:42:100000000000000001' });
  });

  it('refuses ids Discord would reject and ignores foreign ones', () => {
    expect(() => customId('x', 'k'.repeat(100))).toThrow(/longer than 100/);
    expect(() => customId('Bad Action')).toThrow(/must match/);
    expect(parseCustomId('someone-elses-button')).toBeNull();
  });
});

describe('embeds', () => {
  it('colour by outcome, flow id in the footer, Discord limits respected', () => {
    const embed = guildflowEmbed({ outcome: 'error', title: 't'.repeat(300), flowId: 'purchase:7', fields: [{ name: 'n', value: 'v'.repeat(2000) }] });
    expect(embed.color).toBe(OUTCOME_COLOURS.error);
    expect(embed.footer?.text).toBe('Guildflow · purchase:7');
    expect(embed.title).toHaveLength(256);
    expect(embed.fields?.[0]?.value).toHaveLength(1024);
  });
});
