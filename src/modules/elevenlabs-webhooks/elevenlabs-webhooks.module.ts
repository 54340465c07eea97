import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LeadsModule } from '../leads/leads.module.js';
import { SchedulingModule } from '../scheduling/scheduling.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { CallEvent } from './events/call-event.entity.js';
import { ConversationEventsController } from './events/conversation-events.controller.js';
import { ConversationEventsService } from './events/conversation-events.service.js';
import { ElevenLabsSignatureGuard } from './guards/elevenlabs-signature.guard.js';
import { InitiationAuthGuard } from './guards/initiation-auth.guard.js';
import { ToolSecretGuard } from './guards/tool-secret.guard.js';
import { WebhookInboxController } from './inbox/webhook-inbox.controller.js';
import { WebhookInboxEvent } from './inbox/webhook-inbox.entity.js';
import { WebhookInboxRepository } from './inbox/webhook-inbox.repository.js';
import { WebhookInboxWorker } from './inbox/webhook-inbox.worker.js';
import { ConversationInitiation } from './initiation/conversation-initiation.entity.js';
import { ConversationInitiationController } from './initiation/conversation-initiation.controller.js';
import { ConversationInitiationService } from './initiation/conversation-initiation.service.js';
import { CallCorrelator } from './post-call/call-correlator.js';
import { PostCallBodyLimit } from './post-call/post-call-body-limit.js';
import { PostCallIntakeService } from './post-call/post-call-intake.service.js';
import { PostCallReconciler } from './post-call/post-call-reconciler.service.js';
import { PostCallSideEventsHandler } from './post-call/post-call-side-events.handler.js';
import { PostCallTranscriptionHandler } from './post-call/post-call-transcription.handler.js';
import { PostCallWebhookController } from './post-call/post-call-webhook.controller.js';
import { RecordingStore } from './post-call/recording-store.js';
import { ServerToolsController } from './tools/server-tools.controller.js';
import { ToolSecretController } from './tools/tool-secret.controller.js';
import { ToolSecretService } from './tools/tool-secret.service.js';
import { TwilioWebhooksModule } from '../twilio-webhooks/twilio-webhooks.module.js';
import { UsageModule } from '../usage/usage.module.js';

/**
 * Everything ElevenLabs calls on our side: the signed post-call and conversation-event webhooks
 * (through the webhook inbox), the conversation-initiation webhook, and the agent's server tools.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookInboxEvent, CallEvent, ConversationInitiation]),
    CallsModule,
    TenantsModule,
    LeadsModule,
    SchedulingModule,
    TwilioWebhooksModule,
    UsageModule,
  ],
  controllers: [
    PostCallWebhookController,
    ConversationInitiationController,
    ConversationEventsController,
    ServerToolsController,
    ToolSecretController,
    WebhookInboxController,
  ],
  providers: [
    PostCallBodyLimit,
    ElevenLabsSignatureGuard,
    InitiationAuthGuard,
    ToolSecretGuard,
    WebhookInboxRepository,
    WebhookInboxWorker,
    CallCorrelator,
    RecordingStore,
    PostCallIntakeService,
    PostCallTranscriptionHandler,
    PostCallSideEventsHandler,
    PostCallReconciler,
    ConversationInitiationService,
    ConversationEventsService,
    ToolSecretService,
  ],
  exports: [WebhookInboxWorker, PostCallReconciler],
})
export class ElevenLabsWebhooksModule {}
