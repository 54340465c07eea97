import { Global, Module } from '@nestjs/common';
import { ElevenLabsApiClient } from './elevenlabs-api.client.js';
import { TwilioClientFactory } from './twilio-client.factory.js';
import { TwilioCredentialsService } from './twilio-credentials.service.js';

/**
 * Clients for the providers' REST APIs, shared by every module that talks to Twilio or ElevenLabs.
 * A tenant's own credentials come through the TENANT_CREDENTIALS_STORE port, which the tenants
 * module (owner of the tenants table) provides.
 */
@Global()
@Module({
  providers: [TwilioCredentialsService, TwilioClientFactory, ElevenLabsApiClient],
  exports: [TwilioCredentialsService, TwilioClientFactory, ElevenLabsApiClient],
})
export class ProviderClientsModule {}
