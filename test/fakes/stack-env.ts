import type { Config } from '../../lib/config';
import type { FakeDiscord } from './discord';
import type { FakeMidtrans } from './midtrans';
import type { FakeRoblox } from './roblox';

/**
 * The settings that point Guildflow at the fakes of Discord, Roblox and Midtrans instead of the real
 * services: the end-to-end harness and the playground run their stack with exactly these.
 */
export function fakeServicesEnv(fakes: { discord: FakeDiscord; roblox: FakeRoblox; midtrans: FakeMidtrans; midtransServerKey: string; apiUrl: string }) {
  return {
    DISCORD_TOKEN: fakes.discord.token,
    DISCORD_API_URL: fakes.discord.restUrl,
    ROBLOX_USERS_API_URL: fakes.roblox.url,
    ROBLOX_GROUPS_API_URL: fakes.roblox.url,
    // Payments against the fake Midtrans, which notifies our webhook (the charge names it).
    MIDTRANS_SERVER_KEY: fakes.midtransServerKey,
    MIDTRANS_API_URL: fakes.midtrans.url,
    PUBLIC_BASE_URL: fakes.apiUrl,
  } satisfies Partial<Record<keyof Config, string>>;
}
