import type { Session } from '../api/client';

export type Guild = Session['guilds'][number];

/** What every page of a guild gets. */
export interface PageProps {
  guild: Guild;
}
