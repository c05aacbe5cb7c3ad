export * from './errors';
export * from './pets';
export * from './games';
export * from './service';
export * from './tip';
