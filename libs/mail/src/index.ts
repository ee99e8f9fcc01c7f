export * from './mail-client';
export * from './mail.module';
