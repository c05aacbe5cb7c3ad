import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { FakeDiscord } from '../test/fakes/discord';
import type { Browser } from '../test/dashboard-web/browser';
import { ascending, percentile } from './stats';
import type { BenchRow } from './types';

/**
 * The built dashboard in Chromium against the bench's API: its weight, how soon the Overview is usable, and
 * how soon a balance change shows on an open Members page. Targets: < 300 kB of JavaScript gzipped,
 * interactive in < 1 s, a balance change on the page in < 1 s.
 */

const JS_TARGET_KB = 300;
const INTERACTIVE_TARGET_MS = 1000;
const LIVE_TARGET_MS = 1000;

/** Every .js file under `dir` (web/dist), each gzipped at level 9 as a server would send it; in bytes. */
function gzippedJsBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) total += gzipSync(readFileSync(path.join(entry.parentPath, entry.name)), { level: 9 }).length;
  }
  return total;
}

export function pageWeightRows(dir: string): BenchRow[] {
  const kb = gzippedJsBytes(dir) / 1024;
  console.log(`page weight: ${kb.toFixed(1)} kB of JavaScript gzipped (every .js under ${path.relative(process.cwd(), dir)}) — ${kb < JS_TARGET_KB ? 'within' : 'OVER'} the ${JS_TARGET_KB} kB target`);
  return [{ metric: 'JavaScript of the built page, gzipped', unit: 'kB', ours: kb, baseline: JS_TARGET_KB, baselineLabel: 'target (less than)' }];
}

/**
 * The dashboard's real login in this browser as `userId`, as test/dashboard-web does it: "Log in with
 * Discord", the fake Discord's consent page (Authorize), back through /api/auth/callback.
 */
export async function logIn(page: Page, discord: FakeDiscord, base: string, userId: string): Promise<void> {
  discord.setOAuthUser(userId);
  await page.goto(`${base}/`);
  await page.getByRole('link', { name: 'Log in with Discord' }).click();
  await page.getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/api/'));
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** What the page-side checks below read of the page (this module is compiled without the DOM's types). */
interface PageElement {
  textContent: string | null;
  checkVisibility(): boolean;
  disabled?: boolean;
}
interface PageGlobals {
  document: { querySelector(selector: string): PageElement | null; querySelectorAll(selector: string): Iterable<PageElement> };
  performance: { now(): number; getEntriesByType(type: 'resource'): { name: string; startTime: number; responseEnd: number }[] };
}

/**
 * "Interactive": the Overview's first figure (the currency in circulation, data-testid=circulation-currency)
 * visible with its value, and the Log out button visible and enabled. Run in the page (a function, not a
 * string: the page's CSP refuses eval) and timed there from the navigation's start (performance.now()), so
 * Playwright's own round trips are not counted.
 */
function interactiveSince(): number {
  const { document, performance } = globalThis as unknown as PageGlobals;
  const figure = document.querySelector('[data-testid="circulation-currency"]');
  const logOut = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Log out');
  return figure?.checkVisibility() && figure.textContent?.trim() && logOut?.checkVisibility() && !logOut.disabled ? performance.now() : 0;
}

/** The page's requests so far (API calls and assets), each "path start→end ms" from the navigation's start. */
function requestsSoFar(): string[] {
  const { performance } = globalThis as unknown as PageGlobals;
  return performance.getEntriesByType('resource').map((r) => `${new URL(r.name).pathname.replace(/^\/api\/guilds\/\d+/, '…')} ${r.startTime.toFixed(0)}→${r.responseEnd.toFixed(0)}`);
}

/** The balance cell's digits (the page writes 1,234) once they equal `want`. */
function balanceShown([selector, want]: readonly [string, string]): boolean {
  const { document } = globalThis as unknown as PageGlobals;
  return document.querySelector(selector)?.textContent?.replace(/\D/g, '') === want;
}

/** Loads the Overview `loads` times, each in a new tab (the first with the browser's cache empty). */
export async function interactiveRows(browser: Browser, base: string, guildId: string, loads: number): Promise<BenchRow[]> {
  const times: number[] = [];
  for (let i = 0; i < loads; i++) {
    const { page, problems } = await browser.page();
    if (i === 0) await (await browser.context.newCDPSession(page)).send('Network.clearBrowserCache');
    await page.goto(`${base}/guilds/${guildId}`, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(interactiveSince, undefined, { polling: 'raf', timeout: 30_000 });
    times.push((await handle.jsonValue()) as number);
    // Where the first load's time went, for whoever reads the figures.
    if (i === 0) console.log(`first load, its requests (ms from navigation start): ${(await page.evaluate(requestsSoFar)).join('; ')}`);
    if (problems.length) throw new Error(`the Overview: ${problems.join('; ')}`);
    await page.close();
  }
  const [first, rest] = [times[0]!, ascending(times.slice(1))];
  const [p50, worst] = [percentile(rest, 0.5), rest[rest.length - 1] ?? NaN];
  console.log(
    `time to interactive (the Overview's circulation figure visible and the Log out button visible and enabled, from navigation start): ` +
      `first load ${first.toFixed(0)} ms, then p50 ${p50.toFixed(0)} ms, worst ${worst.toFixed(0)} ms of ${rest.length} — ${Math.max(first, worst) < INTERACTIVE_TARGET_MS ? 'within' : 'OVER'} the ${INTERACTIVE_TARGET_MS} ms target`,
  );
  return [
    { metric: 'Overview interactive, first load (empty cache)', unit: 'ms', ours: first, baseline: INTERACTIVE_TARGET_MS, baselineLabel: 'target (less than)' },
    { metric: `Overview interactive, p50 of ${rest.length} more loads`, unit: 'ms', ours: p50, baseline: INTERACTIVE_TARGET_MS, baselineLabel: 'target (less than)' },
    { metric: `Overview interactive, worst of ${rest.length} more loads`, unit: 'ms', ours: worst, baseline: INTERACTIVE_TARGET_MS, baselineLabel: 'target (less than)' },
  ];
}

/**
 * The Members page open at its first page, whose first row is `userId`; `changes` times a balance change
 * through the API (POST …/economy/adjustments, +1) and the time from sending it until the row shows the
 * balance the API answered (the live event, the page's reload of its list, the render).
 */
export async function liveBalanceRows(browser: Browser, base: string, guildId: string, token: string, userId: string, changes: number): Promise<BenchRow[]> {
  const { page, problems } = await browser.page();
  await page.goto(`${base}/guilds/${guildId}/members`);
  const balance = page.locator(`tr[data-user-id="${userId}"] .balance`);
  await balance.waitFor();
  const times: number[] = [];
  const posts: number[] = [];
  for (let i = 0; i < changes; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/guilds/${guildId}/economy/adjustments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId, amount: '1', reason: 'bench: live balance', idempotencyKey: `bench-live-${Date.now()}-${i}` }),
    });
    const body = (await res.json()) as { balance?: string };
    if (res.status !== 201 || !body.balance) throw new Error(`adjustment: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    posts.push(performance.now() - t0);
    await page.waitForFunction(balanceShown, [`tr[data-user-id="${userId}"] .balance`, body.balance] as const, { polling: 'raf', timeout: 30_000 });
    times.push(performance.now() - t0);
  }
  if (problems.length) throw new Error(`the Members page: ${problems.join('; ')}`);
  await page.close();
  const sorted = ascending(times);
  const [p50, p99] = [percentile(sorted, 0.5), percentile(sorted, 0.99)];
  console.log(
    `balance change to the open Members page (POST adjustment → the row shows it): p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms of ${changes} ` +
      `(the POST alone: p50 ${percentile(ascending(posts), 0.5).toFixed(0)} ms) — ${p99 < LIVE_TARGET_MS ? 'within' : 'OVER'} the ${LIVE_TARGET_MS} ms target`,
  );
  return [
    { metric: `balance change to the page p50 (${changes} changes)`, unit: 'ms', ours: p50, baseline: LIVE_TARGET_MS, baselineLabel: 'target (less than)' },
    { metric: `balance change to the page p99 (${changes} changes)`, unit: 'ms', ours: p99, baseline: LIVE_TARGET_MS, baselineLabel: 'target (less than)' },
  ];
}
