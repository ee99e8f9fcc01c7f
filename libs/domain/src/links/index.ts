export * from './safe-http-url';
