export { createAnnouncementActivities } from './activities';
export { announcementFlowId, announcementMessage } from './messages';
export {
  AnnouncementStateError,
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
