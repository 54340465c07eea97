/**
 * Per-frame statistics as plain integers: the hot path only does `counters.x++`, and the
 * Prometheus collector reads them at scrape time (prom-client calls per frame cost too much).
 */
export class BridgeCounters {
  callerFramesRelayed = 0;
  agentFramesRelayed = 0;
  /** Caller audio dropped because the queue towards the agent overflowed (setup or congestion). */
  callerFramesDropped = 0;
  /** Agent audio dropped because the queue towards Twilio overflowed. */
  agentFramesDropped = 0;
  /** Agent audio that arrived after an interruption but belonged to the interrupted turn. */
  staleAgentFramesDropped = 0;
  /** Agent audio discarded by `clear` while still queued on our side. */
  agentFramesCleared = 0;
  marksSent = 0;
}
