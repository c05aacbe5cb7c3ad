/**
 * Verification phrases: random words a member puts in their Roblox profile description. The words are
 * plain lower-case nouns, colours and adjectives that Roblox's text filter leaves alone (no digits, which
 * it hashes out, no names, nothing that reads as contact details or slang). Pure code: safe in workflows,
 * which pass seededRandom(run id).
 */
export const PHRASE_WORDS: readonly string[] = [
  'apple', 'amber', 'anchor', 'arrow', 'autumn', 'bakery', 'balloon', 'bamboo', 'banana', 'basket',
  'beach', 'berry', 'blanket', 'blue', 'boat', 'bottle', 'branch', 'breeze', 'brick', 'bridge',
  'bright', 'brown', 'bubble', 'bucket', 'butter', 'cabin', 'cactus', 'candle', 'canyon', 'carrot',
  'castle', 'cedar', 'cherry', 'circle', 'cloud', 'clover', 'coconut', 'comet', 'copper', 'coral',
  'cotton', 'crayon', 'crystal', 'cookie', 'daisy', 'desert', 'dolphin', 'dragon', 'drum', 'eagle',
  'early', 'earth', 'echo', 'elbow', 'emerald', 'engine', 'falcon', 'feather', 'fern', 'field',
  'flame', 'flower', 'forest', 'fossil', 'fox', 'frost', 'galaxy', 'garden', 'gentle', 'giant',
  'glacier', 'globe', 'golden', 'grape', 'green', 'guitar', 'hammer', 'harbor', 'hazel', 'helmet',
  'hill', 'honey', 'horizon', 'island', 'ivory', 'jacket', 'jelly', 'jungle', 'kettle', 'kite',
  'ladder', 'lagoon', 'lantern', 'lemon', 'library', 'lily', 'lime', 'lizard', 'magnet', 'maple',
  'marble', 'meadow', 'melon', 'meteor', 'mint', 'mirror', 'misty', 'moon', 'mountain', 'mushroom',
  'music', 'napkin', 'nest', 'noodle', 'ocean', 'olive', 'orange', 'orbit', 'otter', 'owl',
  'paddle', 'panda', 'paper', 'parrot', 'peach', 'pebble', 'pencil', 'penguin', 'pepper', 'piano',
  'pillow', 'pine', 'planet', 'plum', 'pocket', 'pond', 'popcorn', 'puzzle', 'quiet', 'rabbit',
  'rainbow', 'raven', 'ribbon', 'river', 'robot', 'rocket', 'rose', 'ruby', 'saddle', 'sail',
  'salad', 'sandy', 'silver', 'sky', 'snow', 'sock', 'spark', 'spoon', 'spring', 'squirrel',
  'star', 'stone', 'storm', 'summer', 'sunny', 'swift', 'table', 'teapot', 'thunder', 'tiger',
  'timber', 'tomato', 'tower', 'train', 'tulip', 'turtle', 'umbrella', 'valley', 'velvet', 'violet',
  'wagon', 'walnut', 'water', 'whale', 'window', 'winter', 'wizard', 'wool', 'yellow', 'zebra',
];

export const MIN_PHRASE_WORDS = 4;
export const MAX_PHRASE_WORDS = 32;

/** `count` words drawn with `random` (a workflow passes seededRandom(its run id)), space-separated. */
export function generatePhrase(count: number, random: () => number): string {
  const n = Math.min(MAX_PHRASE_WORDS, Math.max(MIN_PHRASE_WORDS, Math.floor(count)));
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(PHRASE_WORDS[Math.floor(random() * PHRASE_WORDS.length)]!);
  return words.join(' ');
}

/** Whether a profile description contains the phrase (case, line breaks and repeated spaces ignored). */
export function descriptionHasPhrase(description: string, phrase: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
  return norm(description).includes(norm(phrase));
}

/** What a profile description shows, trimmed for a message. */
export function trimDescription(description: string, max = 200): string {
  const t = description.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A nickname from a template: {roblox-name}, {display-name} (Roblox), {discord-name}; at most 32 characters. */
export function renderNickname(template: string, values: { robloxName: string; displayName: string; discordName: string }): string {
  const out = template
    .replace(/\{roblox-name\}/g, values.robloxName)
    .replace(/\{display-name\}/g, values.displayName)
    .replace(/\{discord-name\}/g, values.discordName)
    .trim();
  return out.slice(0, 32);
}

export const NICKNAME_PLACEHOLDERS = ['{roblox-name}', '{display-name}', '{discord-name}'] as const;

/** A deterministic random source from a seed string (a workflow passes its run id): FNV-1a → mulberry32. */
export function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let a = h;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
