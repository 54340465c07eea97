export * from './fake-twilio-api.js';
export * from './fake-twilio-resources.js';
export * from './media-stream-session.js';
export * from './mulaw-audio.js';
export * from './redirecting-request-client.js';
export * from './twilio-call-simulator.js';
export * from './twilio-wire.js';
export * from './twiml-parser.js';
