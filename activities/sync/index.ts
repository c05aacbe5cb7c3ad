export { startLeaderboardRelay } from './relay';
