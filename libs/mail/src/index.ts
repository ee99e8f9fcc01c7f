export * from './encoded-body';
export * from './mail-client';
export * from './mail.module';
export * from './message';
export * from './send-rate';
