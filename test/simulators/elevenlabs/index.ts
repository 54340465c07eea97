export * from './agent-audio.js';
export * from './agent-scripts.js';
export * from './conversation-details.js';
export * from './conversation-socket.js';
export * from './conversation-test-client.js';
export * from './fake-elevenlabs.js';
export * from './fake-elevenlabs-types.js';
export * from './post-call-webhook.js';
