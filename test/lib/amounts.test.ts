import { formatAmount } from '../../lib/discord/amounts';

describe('formatAmount', () => {
  it('groups digits and keeps bigint precision beyond 2^53', () => {
    const coins = { name: 'Coins', emoji: '🪙' };
    expect(formatAmount(coins, 1250n)).toBe('🪙 1,250 Coins');
    expect(formatAmount(coins, -5n)).toBe('🪙 -5 Coins');
    expect(formatAmount(coins, 9007199254740993n)).toBe('🪙 9,007,199,254,740,993 Coins');
  });
});
