import { RefusalError } from '../../lib/errors';
import { ANNOUNCEMENT_FAILURES } from '../../lib/flows/announcements';

/** Announcement refusals; `failureType` is from ANNOUNCEMENT_FAILURES (lib/flows/announcements.ts). */
class AnnouncementError extends RefusalError {}

/** The announcement is in a state that does not allow the change (already sent, cancelled, taken down…): 409 `conflict`. */
export class AnnouncementStateError extends AnnouncementError {
  constructor(message: string) {
    super('conflict', ANNOUNCEMENT_FAILURES.state, message, 409);
  }
}
