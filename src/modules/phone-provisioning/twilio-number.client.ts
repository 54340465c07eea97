import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import { AppException } from '../../common/errors/app.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import { TwilioProvisioningError } from './phone-provisioning.exception.js';
import { toWebhookConfig, type WebhookConfig, type WebhookUpdate } from './webhook-config.js';

/** An official twilio client bound to the account that holds a number. */
export interface TwilioAccountHandle {
  client: twilio.Twilio;
  accountSid: string;
}

export interface TwilioNumberState {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  config: WebhookConfig;
}

const TIMED_OUT = Symbol('timed out');

/**
 * IncomingPhoneNumbers through the official client (list / fetch / update, Twilio REST API, https://www.twilio.com/docs/usage/api), with a
 * deadline of TWILIO_PROVISIONING_TIMEOUT_MS and Twilio's errors turned into TwilioProvisioningError.
 */
@Injectable()
export class TwilioNumberClient {
  constructor(
    private readonly factory: TwilioClientFactory,
    private readonly credentials: TwilioCredentialsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The account that holds a number: the one learnt when it was first configured, else its
   * tenant's (the tenant's own subaccount, or the platform account), else the platform account.
   * Resolved before any transaction opens: it reads the database on its own connection.
   */
  async connect(accountSid: string | null, tenantId: string | null): Promise<TwilioAccountHandle> {
    if (accountSid) {
      const found = await this.credentials.authTokenForAccount(accountSid);
      if (!found)
        throw new AppException('TWILIO_NOT_CONFIGURED', 'unavailable', `No credentials are stored for the Twilio account ${accountSid} that holds this number`);
      return { client: this.factory.build(accountSid, found.authToken), accountSid };
    }
    if (tenantId) return this.factory.forTenant(tenantId);
    const { accountSid: platformSid, authToken } = this.config.twilio;
    if (!platformSid || !authToken)
      throw new AppException('TWILIO_NOT_CONFIGURED', 'unavailable', 'No Twilio account is configured (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)');
    return { client: this.factory.build(platformSid, authToken), accountSid: platformSid };
  }

  /** The number's PN SID. Twilio's PhoneNumber filter also matches partial numbers, so the match is checked. */
  async findSid(handle: TwilioAccountHandle, e164: string): Promise<string | null> {
    const page = await this.call('list', () => handle.client.incomingPhoneNumbers.list({ phoneNumber: e164, limit: 20 }));
    return page.find((n) => n.phoneNumber === e164)?.sid ?? null;
  }

  async fetch(handle: TwilioAccountHandle, sid: string): Promise<TwilioNumberState> {
    return toState(await this.call('fetch', () => handle.client.incomingPhoneNumbers(sid).fetch()), handle.accountSid);
  }

  async update(handle: TwilioAccountHandle, sid: string, update: WebhookUpdate): Promise<TwilioNumberState> {
    return toState(await this.call('update', () => handle.client.incomingPhoneNumbers(sid).update(update)), handle.accountSid);
  }

  private async call<T>(operation: 'list' | 'fetch' | 'update', run: () => Promise<T>): Promise<T> {
    const pending = run();
    // If the deadline wins, the request goes on; its outcome is still awaited by the caller's reconciliation.
    pending.catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), this.config.twilio.provisioningTimeoutMs);
    });
    try {
      const result = await Promise.race([pending, deadline]);
      if (result === TIMED_OUT) {
        throw new TwilioProvisioningError(
          { status: null, code: null, message: `no answer within ${this.config.twilio.provisioningTimeoutMs} ms`, moreInfo: null },
          'timeout',
          operation,
          pending,
        );
      }
      return result;
    } catch (err) {
      throw toProvisioningError(err, operation);
    } finally {
      clearTimeout(timer);
    }
  }
}

function toState(n: { sid: string; phoneNumber: string; accountSid?: string }, accountSid: string): TwilioNumberState {
  return { sid: n.sid, phoneNumber: n.phoneNumber, accountSid: n.accountSid ?? accountSid, config: toWebhookConfig(n as never) };
}

export function toProvisioningError(err: unknown, operation: 'list' | 'fetch' | 'update'): unknown {
  if (err instanceof TwilioProvisioningError) return err;
  if (err instanceof twilio.RestException) {
    const status = err.status ?? null;
    // Only a 4xx is a definite "no": a 5xx may hide an applied change. Prism's errors carry no Twilio body.
    const info = { status, code: err.code ?? null, message: err.message || `HTTP ${status}`, moreInfo: err.moreInfo ?? null };
    return new TwilioProvisioningError(info, status !== null && status < 500 ? 'refused' : 'failed', operation);
  }
  if (err instanceof AppException) return err;
  const error = err as Error & { code?: string };
  const timeout = error?.code === 'ECONNABORTED' || error?.code === 'ETIMEDOUT';
  return new TwilioProvisioningError(
    { status: null, code: null, message: error?.message ?? String(err), moreInfo: null },
    timeout ? 'timeout' : 'failed',
    operation,
  );
}
