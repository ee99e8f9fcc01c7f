export * from './job-metrics';
export * from './request-id';
export * from './trace-context';
