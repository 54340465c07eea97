import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import { ElevenLabsApiClient } from './elevenlabs-api.client.js';
import { TwilioClientFactory } from './twilio-client.factory.js';
import { TwilioCredentialsService } from './twilio-credentials.service.js';

/** Clients for the providers' REST APIs, shared by every module that talks to Twilio or ElevenLabs. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Tenant])],
  providers: [TwilioCredentialsService, TwilioClientFactory, ElevenLabsApiClient],
  exports: [TwilioCredentialsService, TwilioClientFactory, ElevenLabsApiClient],
})
export class ProviderClientsModule {}
