// Tests read their own settings; request and job logs would only bury the failures.
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
