import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { AppException } from '../../common/errors/app.exception.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TENANT_CREDENTIALS_STORE, type TenantCredentialsStore } from './tenant-credentials-store.port.js';

/** `conversation_initiation_client_data` as the REST endpoints take it (docs/protocols.md §4.3). */
export interface ConversationInitiationData {
  dynamic_variables?: Record<string, string | number | boolean>;
  conversation_config_override?: Record<string, unknown>;
  user_id?: string;
}

export class ElevenLabsApiError extends AppException {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super('ELEVENLABS_API_ERROR', 'upstream', message, status ? { upstreamStatus: status } : undefined);
  }
}

const TIMEOUT_MS = { signedUrl: 5_000, registerCall: 8_000, conversation: 10_000 };

/** ElevenLabs' REST API (signed URLs, register-call, conversation details), per tenant key. */
@Injectable()
export class ElevenLabsApiClient {
  private readonly box: SecretBox;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(TENANT_CREDENTIALS_STORE) private readonly credentials: TenantCredentialsStore,
  ) {
    this.box = new SecretBox(config.auth.encryptionKey);
  }

  /** The WebSocket origin follows the REST origin (EU/India residency hosts included). */
  get wsBaseUrl(): string {
    return this.config.elevenlabs.apiBaseUrl.replace(/^http/, 'ws').replace(/\/+$/, '');
  }

  /** The direct conversation URL, for public agents that need no signed URL. */
  publicConversationUrl(agentId: string): string {
    return `${this.wsBaseUrl}/v1/convai/conversation?agent_id=${encodeURIComponent(agentId)}`;
  }

  async apiKeyForTenant(tenantId: string): Promise<string> {
    const apiKeyEnc = await this.credentials.elevenLabsApiKeyEnc(tenantId);
    if (apiKeyEnc) return this.box.decrypt(apiKeyEnc);
    if (!this.config.elevenlabs.apiKey) throw new ElevenLabsApiError('No ElevenLabs API key is configured (ELEVENLABS_API_KEY)');
    return this.config.elevenlabs.apiKey;
  }

  async setTenantApiKey(tenantId: string, apiKey: string | null): Promise<void> {
    await this.credentials.setElevenLabsApiKeyEnc(tenantId, apiKey ? this.box.encrypt(apiKey) : null);
  }

  /** GET /v1/convai/conversation/get-signed-url: a one-time WebSocket URL for a private agent. */
  async getSignedUrl(apiKey: string, agentId: string, signal?: AbortSignal): Promise<string> {
    const body = await this.request<{ signed_url?: string }>(
      'GET',
      `/v1/convai/conversation/get-signed-url?agent_id=${encodeURIComponent(agentId)}`,
      apiKey,
      TIMEOUT_MS.signedUrl,
      undefined,
      signal,
    );
    if (!body.signed_url) throw new ElevenLabsApiError('ElevenLabs returned no signed_url');
    return body.signed_url;
  }

  /** POST /v1/convai/twilio/register-call: ElevenLabs carries the audio; returns its TwiML. */
  async registerCall(
    apiKey: string,
    body: {
      agent_id: string;
      from_number: string;
      to_number: string;
      direction: 'inbound' | 'outbound';
      conversation_initiation_client_data?: ConversationInitiationData;
    },
  ): Promise<string> {
    return this.request<string>('POST', '/v1/convai/twilio/register-call', apiKey, TIMEOUT_MS.registerCall, body, undefined, 'text');
  }

  /** GET /v1/convai/conversations/{id}: the same shape as the post-call transcription webhook's data. */
  getConversation<T = Record<string, unknown>>(apiKey: string, conversationId: string): Promise<T> {
    return this.request<T>('GET', `/v1/convai/conversations/${encodeURIComponent(conversationId)}`, apiKey, TIMEOUT_MS.conversation);
  }

  private async request<T>(
    method: string,
    path: string,
    apiKey: string,
    timeoutMs: number,
    body?: unknown,
    signal?: AbortSignal,
    as: 'json' | 'text' = 'json',
  ): Promise<T> {
    const url = `${this.config.elevenlabs.apiBaseUrl.replace(/\/+$/, '')}${path}`;
    const what = `ElevenLabs ${method} ${path.split('?')[0]}`;
    // Our own timer, cleared when the answer is read: AbortSignal.timeout() would keep a timer per
    // request pending for the whole timeout after the request is long done (one per call set up).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    timer.unref();
    let text: string;
    let status: number;
    try {
      const res = await fetch(url, {
        method,
        headers: { 'xi-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      status = res.status;
      text = await res.text();
      if (!res.ok) throw new ElevenLabsApiError(`${what} answered ${res.status}`, res.status);
    } catch (err) {
      if (err instanceof ElevenLabsApiError) throw err;
      const reason = (err as Error).name === 'TimeoutError' || timeout.signal.aborted ? `timed out after ${timeoutMs} ms` : (err as Error).message;
      throw new ElevenLabsApiError(`${what} failed: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
    if (as === 'text') return text as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ElevenLabsApiError(`${what} answered with invalid JSON`, status);
    }
  }
}
