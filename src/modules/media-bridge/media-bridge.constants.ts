// Tuning of the media bridge. μ-law 8 kHz is 8 bytes per ms; base64 carries 4 chars per 3 bytes.

/** A socket must send a valid `start` this soon after the upgrade, or it is closed (1008). */
export const START_TIMEOUT_MS = 5_000;
/** Signed URL + WebSocket handshake + `conversation_initiation_metadata`, all together. */
export const UPSTREAM_CONNECT_TIMEOUT_MS = 8_000;
/** A conversation opened when the voice webhook answered waits this long for its stream (which may land elsewhere). */
export const PRE_OPEN_TTL_MS = 10_000;

/** Caller audio kept while the agent is not reachable yet (or its socket is congested): 5 s. */
export const CALLER_QUEUE_LIMIT = { frames: 400, base64Bytes: Math.ceil((5_000 * 8 * 4) / 3) };
/** Agent audio kept while Twilio's socket is not attached yet (or congested): 20 s. */
export const AGENT_QUEUE_LIMIT = { frames: 2_000, base64Bytes: Math.ceil((20_000 * 8 * 4) / 3) };
/** Past this many bytes waiting in a socket's send buffer, new audio waits in our bounded queue instead. */
export const MAX_SOCKET_BUFFERED_BYTES = 256 * 1024;
/** How often a congested queue retries. */
export const QUEUE_RETRY_MS = 20;

/** A Twilio mark after every 500 ms of agent audio tells us what the caller has really heard. */
export const MARK_EVERY_AUDIO_BYTES = 4_000;

/** Polite endings: the agent is done speaking after this much silence; then its audio plays out. */
export const END_QUIET_MS = 800;
export const END_MAX_WAIT_MS = 15_000;
/** calls.metadata.bridgeOutcome is written before the Twilio socket closes, but never waited on longer than this. */
export const OUTCOME_WRITE_TIMEOUT_MS = 2_000;
export const CLIENT_TOOL_TIMEOUT_MS = 10_000;

/** Live transcript rows are written in batches, off the audio path. */
export const TRANSCRIPT_FLUSH_MS = 250;
export const TRANSCRIPT_BATCH_ROWS = 200;
export const TRANSCRIPT_QUEUE_LIMIT = 20_000;

/** Close codes (RFC 6455 §7.4.1). */
export const WS_NORMAL = 1000;
export const WS_POLICY_VIOLATION = 1008;
export const WS_INTERNAL_ERROR = 1011;
