import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Call } from '../calls/call.entity.js';
import { OutboundCallQueueRepository } from '../calls/outbound-call-queue.repository.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { QuotaService } from '../usage/quota.service.js';
import { twilioErrorOf } from '../twilio-kit/twilio-error.js';
import { dispatchIntervalMs } from './outbound-rules.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

const SWEEP_EVERY_MS = 60_000;

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
    private readonly dataSource: DataSource,
    private readonly queue: OutboundCallQueueRepository,
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
    const accounts = await this.queue.accountsWithWaitingCalls();
    await Promise.all(accounts.map((sid) => this.dispatchOne(sid)));
  }

  /** Marks failed the calls an instance claimed but died before placing (see failLostDispatches). */
  async sweepLost(): Promise<number> {
    this.lastSweep = Date.now();
    const callIds = await this.queue.failLostDispatches();
    if (callIds.length > 0) this.logger.warn({ callIds }, 'Outbound calls lost while being placed: marked failed');
    return callIds.length;
  }

  private async dispatchOne(accountSid: string): Promise<void> {
    const call = await this.queue.claimNext(accountSid, this.intervalMs);
    if (call) await this.place(call);
  }

  private async place(call: Call): Promise<void> {
    const overrides = call.metadata.outbound ?? {};
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
        await this.queue.markPlaced(manager, call.id, created.sid, now);
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
    const twilioError = twilioErrorOf(err);
    this.logger.warn({ callId: call.id, tenantId: call.tenantId, twilioError }, 'Twilio refused the outbound call');
    await this.queue
      .markPlacementFailed(call.id, twilioError)
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
