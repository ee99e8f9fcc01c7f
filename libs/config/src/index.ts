export * from './settings';
export * from './settings.module';
export * from './logging.module';
export * from './shutdown-deadline';
export * from './redis-target';
