export { announcementMessage } from './messages';
export {
  announcementToJson,
  cancelAnnouncement,
  createAnnouncement,
  editAnnouncement,
  getAnnouncement,
  scheduleAnnouncement,
  unpinAnnouncement,
  type AnnouncementContext,
} from './service';
export { announceTask } from './task-card';
