;
;
;
;
export { startLeaderboardRelay } from './relay';
