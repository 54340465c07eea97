import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { RealtimeEventsRepository } from './realtime-events.repository.js';
import { RealtimeException, RealtimeExceptionCode } from './realtime.exception.js';
import { RealtimeHub } from './realtime-hub.service.js';
import { RealtimeMetrics } from './realtime.metrics.js';
import { SseConnection, type StreamCredential } from './sse-connection.js';
import { formatEventFrame, formatNotice, formatRetry, parseLastEventId } from './sse-format.js';

export interface StreamScope {
  tenantId: string;
  /** null: every event of the tenant. */
  leadId: string | null;
  credential: StreamCredential;
}

const REPLAY_PAGE = 500;
// EventSource waits `retry` ms before reconnecting; the jitter spreads a whole instance's clients
// over a few seconds when it shuts down, instead of all of them hitting the others at once.
const RETRY_BASE_MS = 2_000;
const RETRY_JITTER_MS = 3_000;

/**
 * Opens SSE streams: validates what can still be answered with a JSON error, then takes over the
 * raw response (headers for proxies, `retry:`), registers the connection with the hub *before*
 * replaying from the table, and switches it to live once the replay is written.
 */
@Injectable()
export class RealtimeStreamsService {
  private readonly logger = new Logger(RealtimeStreamsService.name);

  constructor(
    private readonly hub: RealtimeHub,
    private readonly events: RealtimeEventsRepository,
    private readonly leads: LeadsRepository,
    private readonly metrics: RealtimeMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async assertLead(tenantId: string, leadId: string): Promise<void> {
    if (!(await this.leads.findById(tenantId, leadId))) throw new RealtimeException(RealtimeExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
  }

  /** Where the client resumes; throws (400) for a value we could never have sent. */
  resumeFrom(request: FastifyRequest, queryValue?: string): string | undefined {
    const verdict = parseLastEventId(request.headers['last-event-id'], queryValue);
    if (!verdict.ok) throw new RealtimeException(RealtimeExceptionCode.INVALID_LAST_EVENT_ID, 'Last-Event-ID must be an event id received from this stream');
    return verdict.id;
  }

  async open(request: FastifyRequest, reply: FastifyReply, scope: StreamScope, lastEventId?: string): Promise<void> {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: proxies must not compress (and so buffer) the stream.
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    const retry = formatRetry(RETRY_BASE_MS + Math.floor(Math.random() * RETRY_JITTER_MS));
    if (this.hub.isDraining) {
      // Not a 503: EventSource gives up for good on any status but 200. An ended stream makes it
      // reconnect (with its Last-Event-ID) after `retry`, by then to another instance.
      this.metrics.disconnects.inc({ reason: 'draining' });
      res.end(retry);
      return;
    }
    const { maxQueueBytes, replayMaxEvents } = this.config.realtime;
    const connection = new SseConnection(
      scope.tenantId,
      scope.leadId,
      res,
      { maxQueueBytes, maxHeldEvents: replayMaxEvents + 10_000 },
      (c, reason) => this.hub.remove(c, reason),
      scope.credential,
    );
    res.on('close', () => connection.close('client'));
    // Live first (held), then the replay, so nothing falls between the two.
    this.hub.add(connection);
    // A client that left while we authenticated has already had its 'close'.
    if (res.destroyed || !res.socket || res.socket.destroyed) return connection.close('client');
    connection.write(retry);
    let replayed: Set<string> = new Set();
    if (lastEventId !== undefined) {
      try {
        replayed = await this.replay(connection, scope, lastEventId);
      } catch (err) {
        // The client reconnects with the same Last-Event-ID and loses nothing.
        this.logger.error({ err, tenantId: scope.tenantId }, 'SSE replay failed');
        return connection.close('error');
      }
    }
    connection.goLive(replayed);
  }

  /** Writes the events after `afterId` in id order, bounded; returns their ids. */
  private async replay(connection: SseConnection, scope: StreamScope, afterId: string): Promise<Set<string>> {
    const ids = new Set<string>();
    // Everything up to the oldest kept row is gone: a client older than that may have missed some.
    const oldest = await this.events.minId();
    const expired = oldest > Number(afterId) + 1;
    let cursor = afterId;
    let remaining = this.config.realtime.replayMaxEvents;
    let truncated = false;
    for (;;) {
      if (remaining === 0) {
        truncated = (await this.events.replay(scope.tenantId, scope.leadId, cursor, 1)).length > 0;
        break;
      }
      const want = Math.min(REPLAY_PAGE, remaining);
      const page = await this.events.replay(scope.tenantId, scope.leadId, cursor, want);
      for (const event of page) {
        if (!(await connection.writeAndWait(formatEventFrame(event)))) return ids;
        ids.add(event.id);
      }
      this.metrics.replayed.inc(page.length);
      remaining -= page.length;
      if (page.length > 0) cursor = page[page.length - 1].id;
      if (page.length < want) break;
    }
    if (truncated || expired) {
      // No id: the client keeps its position; it should reload state through the REST API.
      connection.write(formatNotice('replay.truncated', { reason: truncated ? 'limit' : 'expired', lastEventId: cursor }));
    }
    return ids;
  }
}
