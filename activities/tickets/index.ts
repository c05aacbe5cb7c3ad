export { panelMessage, TICKET_ACTIONS, typeLabel } from './messages';
export {
  addTicketType,
  editTicketType,
  getTicketSettings,
  isTicketStaff,
  listTicketTypes,
  nextTicketInput,
  questionsOf,
  removeTicketType,
  requireTicket,
  requireTicketType,
  ticketSettingsSchema,
  ticketStats,
  ticketToJson,
  ticketTypePatchSchema,
  ticketTypeSchema,
  updateTicketSettings,
  type TicketTypePatch,
} from './service';
export { transcriptChunks, TranscriptReplaced } from './transcript';
