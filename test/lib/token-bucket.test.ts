import { createTokenBuckets } from '../../lib/token-bucket';

/** The bucket's arithmetic on a clock the test moves: burst, refill at the rate, Retry-After, keys apart. */
it('allows the burst, refuses beyond it with the seconds until a token, and refills at the rate', () => {
  let ms = 0;
  const buckets = createTokenBuckets({ perSecond: 2, burst: 3 }, () => ms);
  expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
  expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(buckets.take('b')).toEqual({ allowed: true });
  ms = 499;
  expect(buckets.take('a').allowed).toBe(false);
  ms = 500;
  expect(buckets.take('a')).toEqual({ allowed: true });
  expect(buckets.take('a').allowed).toBe(false);
  ms = 60_000;
  // A long quiet spell refills up to the burst, not beyond.
  expect([1, 2, 3, 4].map(() => buckets.take('a').allowed)).toEqual([true, true, true, false]);
});

it('rounds Retry-After up to whole seconds for slow rates', () => {
  const buckets = createTokenBuckets({ perSecond: 0.1, burst: 1 }, () => 0);
  expect(buckets.take('g').allowed).toBe(true);
  expect(buckets.take('g')).toEqual({ allowed: false, retryAfterSeconds: 10 });
});

it('refuses a rule that could never allow anything', () => {
  expect(() => createTokenBuckets({ perSecond: 0, burst: 1 })).toThrow(/rate/);
  expect(() => createTokenBuckets({ perSecond: 1, burst: 0 })).toThrow(/burst/);
});
