import { descriptionHasPhrase, generatePhrase, PHRASE_WORDS, renderNickname, seededRandom, trimDescription } from '../../lib/roblox/phrase';

/** The pure parts of verification the workflow relies on: phrases, matching, nicknames. */
describe('verification phrases and nicknames', () => {
  it('a phrase is `count` curated words, the same for the same seed (replay), different for another', () => {
    const a = generatePhrase(16, seededRandom('run-1'));
    expect(a.split(' ')).toHaveLength(16);
    expect(a.split(' ').every((w) => PHRASE_WORDS.includes(w))).toBe(true);
    expect(generatePhrase(16, seededRandom('run-1'))).toBe(a);
    expect(generatePhrase(16, seededRandom('run-2'))).not.toBe(a);
    expect(generatePhrase(2, seededRandom('x')).split(' ')).toHaveLength(4); // clamped to the minimum
    expect(generatePhrase(99, seededRandom('x')).split(' ')).toHaveLength(32);
  });

  it('the curated words are plain lower-case letters, no digits (Roblox filters them), no duplicates', () => {
    expect(PHRASE_WORDS.every((w) => /^[a-z]{2,10}$/.test(w))).toBe(true);
    expect(new Set(PHRASE_WORDS).size).toBe(PHRASE_WORDS.length);
    expect(PHRASE_WORDS.length).toBeGreaterThanOrEqual(150);
  });

  it('matching ignores case, line breaks and repeated spaces, but not missing or reordered words', () => {
    const phrase = 'apple river stone cloud';
    expect(descriptionHasPhrase('Hi!\nApple  river\nSTONE cloud :)', phrase)).toBe(true);
    expect(descriptionHasPhrase('apple river cloud stone', phrase)).toBe(false);
    expect(descriptionHasPhrase('apple river stone', phrase)).toBe(false);
    expect(trimDescription('  a\n\nb  ')).toBe('a b');
    expect(trimDescription('x'.repeat(300))).toHaveLength(200);
  });

  it('nickname templates fill every placeholder and stop at Discord’s 32 characters', () => {
    const values = { robloxName: 'RoboAlice', displayName: 'Alice R', discordName: 'alice' };
    expect(renderNickname('{roblox-name}', values)).toBe('RoboAlice');
    expect(renderNickname('{display-name} (@{roblox-name}) · {discord-name}', values)).toBe('Alice R (@RoboAlice) · alice');
    expect(renderNickname('{roblox-name} {roblox-name} {roblox-name} {roblox-name}', values)).toHaveLength(32);
  });
});
