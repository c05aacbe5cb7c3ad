import type { PageProps } from './types';

/** What a member (below mod) sees: the dashboard's pages are for the server's staff. */
export function MemberHome({ guild }: PageProps) {
  return (
    <>
      <h1>{guild.name}</h1>
      <p>
        You are a <strong>member</strong> of this server. The dashboard’s pages (economy, shop, tasks, announcements) are for its moderators and
        admins; use Guildflow’s commands in Discord for your balance, the shop and tasks.
      </p>
    </>
  );
}
