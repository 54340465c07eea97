import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditModule } from './common/audit/audit.module.js';
import { ApiKeyGuard } from './common/auth/api-key.guard.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { HealthModule } from './common/health/health.module.js';
import { AuditLogInterceptor } from './common/interceptors/audit-log.interceptor.js';
import { InputSafetyInterceptor } from './common/input-safety/input-safety.interceptor.js';
import { LifecycleModule } from './common/lifecycle/lifecycle.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { APP_CONFIG, AppConfig } from './config/app-config.js';
import { DatabaseModule } from './database/database.module.js';
import { CallsModule } from './modules/calls/calls.module.js';
import { ElevenLabsWebhooksModule } from './modules/elevenlabs-webhooks/elevenlabs-webhooks.module.js';
import { LeadsModule } from './modules/leads/leads.module.js';
import { MediaBridgeModule } from './modules/media-bridge/media-bridge.module.js';
import { MessagingModule } from './modules/messaging/messaging.module.js';
import { PhoneProvisioningModule } from './modules/phone-provisioning/phone-provisioning.module.js';
import { ProviderClientsModule } from './modules/provider-clients/provider-clients.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { TakeoverModule } from './modules/takeover/takeover.module.js';
import { SchedulingModule } from './modules/scheduling/scheduling.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { OutboundCallsModule } from './modules/outbound-calls/outbound-calls.module.js';
import { TwilioWebhooksModule } from './modules/twilio-webhooks/twilio-webhooks.module.js';
import { UsageModule } from './modules/usage/usage.module.js';

@Module({})
export class AppModule {
  /** The configuration is validated before the module is built (see main.ts), then injected as APP_CONFIG. */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, ignoreEnvVars: true, load: [() => ({ app: config })] }),
        { module: AppConfigHolder, global: true, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] },
        LoggingModule,
        DatabaseModule,
        MetricsModule,
        LifecycleModule,
        AuditModule,
        HealthModule,
        RealtimeModule,
        ProviderClientsModule,
        TenantsModule,
        PhoneProvisioningModule,
        LeadsModule,
        CallsModule,
        MediaBridgeModule,
        UsageModule,
        TwilioWebhooksModule,
        OutboundCallsModule,
        SchedulingModule,
        ElevenLabsWebhooksModule,
        MessagingModule,
        TakeoverModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditLogInterceptor },
        // After the audit interceptor (so refusals are audited), before every parameter is built.
        { provide: APP_INTERCEPTOR, useClass: InputSafetyInterceptor },
      ],
    };
  }
}

@Module({})
class AppConfigHolder {}
