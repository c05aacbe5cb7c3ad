export { announcementMessage } from './messages';
export {
  announcementCreateSchema,
  announcementPatchSchema,
  announcementToJson,
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  scheduleAnnouncement,
  type AnnouncementContext,
} from './service';
