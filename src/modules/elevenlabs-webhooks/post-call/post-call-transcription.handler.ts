import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { parseTwilioAddress } from '../../../common/phone/phone-number.js';
import { CallConversationsRepository } from '../../calls/call-conversations.repository.js';
import type { Call } from '../../calls/call.entity.js';
import type { AppliedConversation } from '../../leads/leads.service.js';
import { LeadsRepository } from '../../leads/leads.repository.js';
import { LeadsService } from '../../leads/leads.service.js';
import { EVENT_BUS, type EventBus } from '../../realtime/event-bus.port.js';
import { TenantsRepository } from '../../tenants/tenants.repository.js';
import type { WebhookInboxEvent } from '../inbox/webhook-inbox.entity.js';
import { WebhookInboxRepository } from '../inbox/webhook-inbox.repository.js';
import { InboxOutcome, PermanentInboxError, WebhookInboxWorker } from '../inbox/webhook-inbox.worker.js';
import { CallCorrelator } from './call-correlator.js';
import { parseEnvelope, parseTranscription, PostCallPayloadError, PostCallTranscription } from './post-call-payload.js';
import { UsageService } from '../../usage/usage.service.js';

interface Recorded {
  call: Call;
  applied?: AppliedConversation;
  summary: string | null;
  aiDurationSecs: number;
}

/**
 * post_call_transcription: the authoritative record of a conversation. In one transaction the
 * call gets its summary, analysis, AI duration and cost; the lead's timeline gets the transcript
 * (replacing the live turns); the lead is re-scored; the AI usage is counted once.
 */
@Injectable()
export class PostCallTranscriptionHandler implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: WebhookInboxWorker,
    private readonly inbox: WebhookInboxRepository,
    private readonly correlator: CallCorrelator,
    private readonly calls: CallConversationsRepository,
    private readonly tenants: TenantsRepository,
    private readonly leads: LeadsService,
    private readonly leadsRepository: LeadsRepository,
    private readonly usage: UsageService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.worker.register('post_call_transcription', (event) => this.handle(event));
  }

  async handle(event: WebhookInboxEvent): Promise<InboxOutcome> {
    let transcription: PostCallTranscription;
    try {
      transcription = parseTranscription(parseEnvelope(event.payload));
    } catch (err) {
      if (err instanceof PostCallPayloadError) throw new PermanentInboxError(err.message);
      throw err;
    }
    const recorded = await this.dataSource.transaction((manager) => this.record(manager, transcription));
    if (!recorded) return { status: 'unmatched', note: 'No call has this conversation id, user_id or switchboard_call_id' };

    const { call, applied } = recorded;
    if (applied?.outcome) await this.leads.publishUpdated(applied.lead, 'post_call');
    await this.events.publish({
      tenantId: call.tenantId,
      type: 'call.ended',
      callId: call.id,
      leadId: call.leadId,
      data: {
        source: 'post_call',
        conversationId: transcription.conversationId,
        callSuccessful: transcription.analysis?.callSuccessful ?? null,
        summary: recorded.summary?.slice(0, 300) ?? null,
        aiDurationSecs: recorded.aiDurationSecs,
        leadScore: applied?.lead.score ?? null,
      },
    });
    // Audio (or a failure notice) that arrived before the call knew this conversation id.
    await this.inbox.requeueUnmatched('elevenlabs', transcription.conversationId);
    return { status: 'done', tenantId: call.tenantId, callId: call.id };
  }

  private async record(manager: EntityManager, t: PostCallTranscription): Promise<Recorded | null> {
    const match = await this.correlator.find(manager, t.keys, true);
    if (!match) return null;
    const { call } = match;
    await this.correlator.claimConversation(manager, call, t.conversationId);
    const tenant = await this.tenants.getOrFail(call.tenantId, manager);

    const conversations = { ...(call.metadata.aiConversations ?? {}) };
    const alreadyApplied = t.conversationId in conversations;
    conversations[t.conversationId] = { durationSecs: t.durationSecs, cost: t.cost, status: t.status, startedAt: t.startedAt.toISOString() };
    const totals = Object.values(conversations).reduce((sum, c) => ({ secs: sum.secs + c.durationSecs, cost: sum.cost + c.cost }), { secs: 0, cost: 0 });
    const endedAt = new Date(t.startedAt.getTime() + t.durationSecs * 1000);

    const leadId = call.leadId ?? (await this.leadFor(manager, call));
    const applied = leadId
      ? await this.leads.applyConversation(manager, {
          tenant,
          leadId,
          callId: call.id,
          conversationId: t.conversationId,
          startedAt: t.startedAt,
          endedAt,
          turns: t.turns,
          analysis: t.analysis ?? undefined,
          alreadyApplied,
        })
      : undefined;
    const summary = applied?.outcome?.changes.summary ?? t.analysis?.summary ?? this.leads.summarise(t.turns);

    await this.calls.recordAiConversation(manager, call, {
      leadId,
      summary,
      analysis: {
        conversationId: t.conversationId,
        callSuccessful: t.analysis?.callSuccessful ?? null,
        title: t.analysis?.title ?? null,
        summarySource: applied?.outcome?.summarySource ?? (t.analysis?.summary ? 'elevenlabs' : 'switchboard'),
        evaluationCriteria: t.analysis?.evaluationResults ?? [],
        dataCollection: t.analysis?.dataCollected ?? {},
        terminationReason: t.terminationReason,
        mainLanguage: t.mainLanguage,
        ...(applied?.outcome
          ? {
              intents: applied.outcome.findings.intents,
              sentiment: applied.outcome.findings.sentiment,
              interests: applied.outcome.findings.interests,
              actionItems: applied.outcome.findings.actionItems,
              leadScore: applied.outcome.score.score,
            }
          : {}),
      },
      conversations,
      aiDurationSecs: totals.secs,
      aiCost: totals.cost,
      status: t.status,
      // A call ElevenLabs carried natively hears no Twilio status callbacks: this is its end.
      ...(call.routingMode === 'native' && !call.endedAt ? { nativeEnd: { endedAt, durationSecs: t.durationSecs } } : {}),
    });
    if (!alreadyApplied) await this.usage.addAiUsage(tenant.id, t.startedAt, t.durationSecs, t.cost, manager);
    return { call, applied, summary, aiDurationSecs: totals.secs };
  }

  private async leadFor(manager: EntityManager, call: Call): Promise<string | null> {
    const { e164 } = parseTwilioAddress(call.direction === 'inbound' ? call.fromNumber : call.toNumber);
    return e164 ? (await this.leadsRepository.findOrCreateByPhone(call.tenantId, e164, manager)).id : null;
  }
}
