export * from './digest-email';
export * from './digest-view';
export * from './slack-message';
export * from './printable';
export * from './html';
export * from './mrkdwn';
export * from './xml';
export * from './latex';
