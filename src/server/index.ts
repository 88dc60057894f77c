export { createApp } from './create-app.js';
export type { AppOptions } from './create-app.js';
export { ServerConfigSchema } from './server-config.js';
export { startServer } from './start-server.js';
export type { RunningServer } from './start-server.js';
