import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RedirectingRequestClient } from './redirecting-request-client.js';
import { TwilioCredentialsService } from './twilio-credentials.service.js';

const DEFAULT_TWILIO_API = 'https://api.twilio.com';
// Twilio's REST calls sit on request paths (call updates, SMS sends): never wait 30 s for one.
const REQUEST_TIMEOUT_MS = 10_000;

/** Official `twilio` clients, one per account, pointed at TWILIO_API_BASE_URL. */
@Injectable()
export class TwilioClientFactory {
  private readonly clients = new Map<string, { token: string; client: twilio.Twilio }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: TwilioCredentialsService,
  ) {}

  /** The client for a tenant: its own subaccount when it has one, else the platform account. */
  async forTenant(tenantId: string): Promise<{ client: twilio.Twilio; accountSid: string }> {
    const { accountSid, authToken } = await this.credentials.credentialsForTenant(tenantId);
    return { client: this.build(accountSid, authToken), accountSid };
  }

  build(accountSid: string, authToken: string): twilio.Twilio {
    const cached = this.clients.get(accountSid);
    if (cached && cached.token === authToken) return cached.client;
    const baseUrl = this.config.twilio.apiBaseUrl;
    const httpClient =
      baseUrl.replace(/\/+$/, '') === DEFAULT_TWILIO_API
        ? new twilio.RequestClient({ timeout: REQUEST_TIMEOUT_MS, keepAlive: true })
        : new RedirectingRequestClient(baseUrl, { timeout: REQUEST_TIMEOUT_MS, keepAlive: true });
    const client = twilio(accountSid, authToken, { httpClient, autoRetry: true, maxRetries: 3 });
    this.clients.set(accountSid, { token: authToken, client });
    return client;
  }
}
