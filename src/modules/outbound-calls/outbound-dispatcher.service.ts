import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Call } from '../calls/call.entity.js';
import { hydrate } from '../../database/hydrate.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { QuotaService } from '../usage/quota.service.js';
import { utcDay } from '../usage/usage-period.js';
import { usageIncrementSql } from '../usage/usage-sql.js';
import { dispatchIntervalMs, type OutboundOverrides } from './outbound-rules.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

const SWEEP_EVERY_MS = 60_000;
// Longer than the client's timeout with its retries: a claim this old will never be stored.
const LOST_AFTER = '2 minutes';
const WAITING = `direction = 'outbound' AND status = 'queued' AND twilio_call_sid IS NULL AND NOT (metadata ? 'dispatchedAt')`;

// Claims the oldest waiting call of one account, at most one per interval across all instances:
// the advisory lock serialises the claim per account (pg_try_: a busy account is skipped, not
// waited for), the last dispatchedAt enforces the rate, and SKIP LOCKED keeps a row another
// transaction holds out of reach. The claim commits before Twilio is called, so a slow Twilio
// never holds a lock, and a claimed call is never placed twice.
const CLAIM_SQL = `
WITH last AS (
  SELECT max((metadata->>'dispatchedAt')::timestamptz) AS at FROM calls
  WHERE twilio_account_sid = $1 AND direction = 'outbound' AND metadata ? 'dispatchedAt' AND created_at > now() - interval '1 day'
), next AS (
  SELECT id FROM calls WHERE twilio_account_sid = $1 AND ${WAITING}
    AND NOT EXISTS (SELECT 1 FROM last WHERE last.at > clock_timestamp() - make_interval(secs => $2::float8 / 1000))
  ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
), claimed AS (
  UPDATE calls c SET metadata = c.metadata || jsonb_build_object('dispatchedAt', clock_timestamp()), updated_at = now()
  FROM next WHERE c.id = next.id RETURNING c.*
)
SELECT * FROM claimed`; // (a bare UPDATE ... RETURNING comes back from TypeORM as [rows, count])

const PLACED_SQL = `
WITH upd AS (
  UPDATE calls SET twilio_call_sid = $2, status = CASE WHEN status = 'queued' THEN 'initiated' ELSE status END,
    metadata = metadata || jsonb_build_object('placedAt', now()), updated_at = now()
  WHERE id = $1 RETURNING tenant_id
), usage AS (
  ${usageIncrementSql({ tenantId: 'tenant_id', day: '$3::date', values: { outboundCalls: '1' }, source: 'upd' })}
)
SELECT tenant_id FROM upd`;

/**
 * Releases queued outbound calls to Twilio at OUTBOUND_CALLS_PER_SECOND per account (Twilio's
 * default limit is 1 call per second per account). Runs on every instance; see CLAIM_SQL for why
 * that is safe.
 */
@Injectable()
export class OutboundDispatcherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboundDispatcherService.name);
  private readonly intervalMs: number;
  private readonly loop: PollingLoop;
  private lastSweep = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly twilio: TwilioClientFactory,
    private readonly quotas: QuotaService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {
    this.intervalMs = dispatchIntervalMs(config.twilio.outboundCallsPerSecond);
    this.loop = new PollingLoop({
      intervalMs: this.intervalMs,
      run: () => this.round(),
      onError: (err) => this.logger.error({ err }, 'Outbound dispatch round failed'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Runs a dispatch round now unless one is running (new calls need not wait for the timer). */
  kick(): void {
    this.loop.kick();
  }

  private async round(): Promise<void> {
    if (Date.now() - this.lastSweep > SWEEP_EVERY_MS) await this.sweepLost();
    const accounts: Array<{ sid: string }> = await this.dataSource.query(
      `SELECT DISTINCT twilio_account_sid AS sid FROM calls WHERE ${WAITING} AND twilio_account_sid IS NOT NULL`,
    );
    await Promise.all(accounts.map(({ sid }) => this.dispatchOne(sid)));
  }

  /**
   * A call claimed by an instance that died before Twilio answered stays claimed without a SID:
   * after LOST_AFTER it is marked failed (its fate at Twilio is unknown; it is not retried, so a
   * callee is never called twice).
   */
  async sweepLost(): Promise<number> {
    this.lastSweep = Date.now();
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `WITH lost AS (
         UPDATE calls SET status = 'failed', ended_at = now(), failure_reason = 'dispatch_lost', updated_at = now()
         WHERE direction = 'outbound' AND status = 'queued' AND twilio_call_sid IS NULL
           AND (metadata->>'dispatchedAt')::timestamptz < now() - interval '${LOST_AFTER}'
         RETURNING id
       ) SELECT id FROM lost`,
    );
    if (rows.length > 0) this.logger.warn({ callIds: rows.map((r) => r.id) }, 'Outbound calls lost while being placed: marked failed');
    return rows.length;
  }

  private async dispatchOne(accountSid: string): Promise<void> {
    const call = await this.dataSource.transaction(async (manager) => {
      const [{ ok }] = await manager.query<Array<{ ok: boolean }>>(`SELECT pg_try_advisory_xact_lock(hashtextextended('outbound-dispatch:' || $1, 0)) AS ok`, [
        accountSid,
      ]);
      if (!ok) return null;
      const rows: Array<Record<string, unknown>> = await manager.query(CLAIM_SQL, [accountSid, this.intervalMs]);
      return rows[0] ? hydrate(manager, Call, rows[0]) : null;
    });
    if (call) await this.place(call);
  }

  private async place(call: Call): Promise<void> {
    const overrides = (call.metadata?.outbound ?? {}) as OutboundOverrides;
    const base = this.config.publicBaseUrl.replace(/\/+$/, '');
    try {
      const { client } = await this.twilio.forTenant(call.tenantId);
      const created = await client.calls.create({
        to: call.toNumber,
        from: call.fromNumber,
        url: `${base}/api/webhooks/twilio/voice`,
        method: 'POST',
        statusCallback: `${base}/api/webhooks/twilio/voice/status`,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        // Synchronous AMD: Twilio fetches our Url once it knows, with AnsweredBy (docs/phone-numbers.md).
        ...(overrides.machineDetection ? { machineDetection: overrides.machineDetection } : {}),
      });
      const now = new Date();
      await this.dataSource.transaction(async (manager) => {
        await manager.query(PLACED_SQL, [call.id, created.sid, utcDay(now)]);
        await this.quotas.alertIfNeeded(call.tenantId, 'outboundCalls', { manager, now });
      });
      this.logger.log({ callId: call.id, callSid: created.sid, tenantId: call.tenantId }, 'Outbound call placed');
      void this.events.publish({
        tenantId: call.tenantId,
        type: 'call.status',
        callId: call.id,
        leadId: call.leadId,
        data: { callId: call.id, status: 'initiated', direction: 'outbound' },
      });
    } catch (err) {
      await this.markFailed(call, err);
    }
  }

  /** Twilio refused (or could not be reached): the call ends here with Twilio's code and message. */
  private async markFailed(call: Call, err: unknown): Promise<void> {
    const e = err as { code?: number; status?: number; message?: string; moreInfo?: string };
    const twilioError = { code: e.code ?? null, status: e.status ?? null, message: (e.message ?? 'unknown error').slice(0, 300), moreInfo: e.moreInfo ?? null };
    this.logger.warn({ callId: call.id, tenantId: call.tenantId, twilioError }, 'Twilio refused the outbound call');
    await this.dataSource
      .query(
        `UPDATE calls SET status = 'failed', ended_at = now(), failure_reason = $2, metadata = metadata || jsonb_build_object('twilioError', $3::jsonb), updated_at = now()
         WHERE id = $1 AND status = 'queued'`,
        [call.id, `twilio_${twilioError.code ?? 'error'}: ${twilioError.message}`.slice(0, 200), JSON.stringify(twilioError)],
      )
      .catch((dbErr: unknown) => this.logger.error({ err: dbErr, callId: call.id }, 'Could not mark the outbound call failed'));
    void this.events.publish({
      tenantId: call.tenantId,
      type: 'call.status',
      callId: call.id,
      leadId: call.leadId,
      data: { callId: call.id, status: 'failed', direction: 'outbound', twilioError },
    });
  }
}
