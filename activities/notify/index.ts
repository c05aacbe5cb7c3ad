/**
 * Card trade notifications (email and/or DM by the member's preference, once per key) and the member's
 * email settings (confirmation links, unsubscribe).
 */
export * from './notify';
export * from './email-settings';
