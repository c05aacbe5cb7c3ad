export { createAnnouncementActivities } from './activities';
export { AnnouncementError, AnnouncementStateError } from './errors';
export { announcementMessage } from './messages';
export {
  announcementCreateSchema,
  announcementPatchSchema,
  announcementToJson,
  cancelAnnouncement,
  colourSchema,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  scheduleAnnouncement,
  type AnnouncementContext,
  type AnnouncementCreate,
  type AnnouncementPatch,
} from './service';
