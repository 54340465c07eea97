import { Inject, Injectable, Logger } from '@nestjs/common';
import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { HandbackNote } from '../calls/call-state.js';
import type { ContextOptions } from '../leads/conversation-context.service.js';
import { AuditService } from '../../common/audit/audit.service.js';
import { compileTrust, type TrustFn } from '../../common/logging/request-id.js';
import { compileSourceAllowlist, type SourceAllowlist } from '../../common/webhook-security/source-allowlist.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { SessionTokenService } from '../calls/session-token.service.js';
import type { Lead } from '../leads/lead.entity.js';
import { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { MediaBridgeMetrics } from './media-bridge.metrics.js';
import { MediaBridgeException, MediaBridgeExceptionCode as Code } from './media-bridge.exception.js';
import { CallsRepository } from '../calls/calls.repository.js';
import { publicStreamUrls, type StreamStart, verifyStreamSignature } from './media-stream-auth.js';

/** What the upgrade established, kept until the `start` message completes the check. */
export interface UpgradeVerdict {
  signature: string | null;
  urls: string[];
  /** Verified with the platform account's token; otherwise a tenant subaccount's token must verify at `start`. */
  platformVerified: boolean;
  sourceIp: string | null;
  requestId: string;
}

export interface AuthorizedStream {
  callId: string;
  tenantId: string;
  leadId: string | null;
  callSid: string;
  streamSid: string;
  /** Loaded with the claim (one round trip), for a stream whose conversation was not pre-opened here. */
  tenant: Tenant;
  lead: Lead | null;
  /** A hand-back after a transfer: the note and greeting of the new conversation. */
  handback: HandbackNote | null;
  contextOptions: ContextOptions | null;
}

const TOKEN_CODES = {
  malformed: Code.TOKEN_MALFORMED,
  bad_signature: Code.TOKEN_BAD_SIGNATURE,
  expired: Code.TOKEN_EXPIRED,
  wrong_call: Code.TOKEN_CALL_MISMATCH,
} as const;
// Refusals are audited, but a flood of bad upgrades must not turn into a flood of audit rows.
const AUDIT_BURST = 20;

/**
 * Who may open a media stream (docs/protocols.md §1.4): a Twilio signature over the public wss:// URL —
 * checked at the upgrade with the platform token, or at `start` with the token of the subaccount
 * the stream names — then the session token our voice webhook issued for that call SID, used once.
 */
@Injectable()
export class MediaStreamAuthenticator {
  private readonly logger = new Logger('MediaBridge');
  private auditTokens = AUDIT_BURST;
  private auditRefill = Date.now();
  private readonly trust: TrustFn;
  private readonly sources: SourceAllowlist;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: TwilioCredentialsService,
    private readonly sessionTokens: SessionTokenService,
    private readonly calls: CallsRepository,
    private readonly audit: AuditService,
    private readonly metrics: MediaBridgeMetrics,
  ) {
    this.trust = compileTrust(config.http.trustedProxies);
    this.sources = compileSourceAllowlist(config.twilio.webhookAllowedIps);
  }

  /** Synchronous, at the HTTP upgrade. Throws SOURCE_NOT_ALLOWED (HTTP 403) or MISSING_SIGNATURE (HTTP 401). */
  checkUpgrade(req: IncomingMessage, requestId: string): UpgradeVerdict {
    // The client as Fastify's request.ip would name it: through TRUSTED_PROXIES only.
    const sourceIp = req.socket?.remoteAddress ? proxyAddr(req, this.trust) : null;
    if (!this.sources.allows(sourceIp)) throw new MediaBridgeException(Code.SOURCE_NOT_ALLOWED, 'Media stream from outside TWILIO_WEBHOOK_ALLOWED_IPS');
    const header = req.headers['x-twilio-signature'];
    const signature = typeof header === 'string' && header.length > 0 ? header : null;
    const verdict: UpgradeVerdict = {
      signature,
      urls: publicStreamUrls(this.config.publicBaseUrl, req.url ?? '/'),
      platformVerified: false,
      sourceIp,
      requestId,
    };
    if (!this.config.twilio.validateSignatures) return { ...verdict, platformVerified: true };
    if (!signature) throw new MediaBridgeException(Code.MISSING_SIGNATURE, 'No x-twilio-signature on the media stream upgrade');
    const token = this.config.twilio.authToken;
    verdict.platformVerified = !!token && verifyStreamSignature(token, signature, verdict.urls);
    return verdict;
  }

  /** At `start`: subaccount signature, session token, single use. Throws MediaBridgeException. */
  async authorizeStart(verdict: UpgradeVerdict, start: StreamStart): Promise<AuthorizedStream> {
    let signedByTenant: string | null = null;
    if (!verdict.platformVerified) {
      // Only a subaccount token can still verify it; the platform's already failed.
      const creds = start.accountSid !== this.config.twilio.accountSid ? await this.credentials.authTokenForAccount(start.accountSid) : undefined;
      if (!creds?.tenantId || !verdict.signature || !verifyStreamSignature(creds.authToken, verdict.signature, verdict.urls)) {
        throw new MediaBridgeException(Code.BAD_SIGNATURE, 'The media stream signature does not verify');
      }
      signedByTenant = creds.tenantId;
    }
    if (!start.sessionToken) throw new MediaBridgeException(Code.TOKEN_MALFORMED, 'No sessionToken parameter in start');
    const token = this.sessionTokens.verify(start.sessionToken, start.callSid);
    if (!token.ok) throw new MediaBridgeException(TOKEN_CODES[token.reason], `Session token refused: ${token.reason}`);
    const { tenantId, callId } = token.claims;
    if (start.callId !== callId) throw new MediaBridgeException(Code.TOKEN_CALL_MISMATCH, 'callId parameter does not match the session token');
    if (signedByTenant && signedByTenant !== tenantId)
      throw new MediaBridgeException(Code.TENANT_MISMATCH, 'Stream signed by another tenant than the session token names');
    const claimed = await this.calls.claimMediaStream(callId, tenantId, start.callSid, start.streamSid);
    if (!claimed) throw new MediaBridgeException(Code.TOKEN_REUSED, 'Session token already used (or the call does not exist)');
    return {
      callId,
      tenantId,
      leadId: claimed.call.leadId,
      callSid: start.callSid,
      streamSid: start.streamSid,
      tenant: claimed.tenant,
      lead: claimed.lead,
      handback: claimed.handback,
      contextOptions: claimed.contextOptions,
    };
  }

  /** Logs, counts and audits a refusal (reasons only: no signatures, tokens or numbers). */
  refused(err: MediaBridgeException, verdict: Pick<UpgradeVerdict, 'requestId' | 'sourceIp'>, context: { callSid?: string; closeCode?: number } = {}): void {
    this.metrics.rejected(err.reason);
    if (err.kind === 'unavailable') return; // capacity and drain: expected, counted, not security events
    this.logger.warn({ reason: err.reason, requestId: verdict.requestId, callSid: context.callSid }, 'Media stream refused');
    if (!this.takeAuditToken()) return;
    void this.audit.record({
      actorType: 'provider',
      actorId: 'twilio',
      action: 'media_stream.connect',
      resourceType: 'call',
      resourceId: context.callSid ?? null,
      outcome: 'denied',
      statusCode: err.httpStatus,
      requestId: verdict.requestId,
      sourceIp: verdict.sourceIp,
      // statusCode: the HTTP equivalent; closeCode when the WebSocket was already open.
      details: context.closeCode ? { reason: err.reason, closeCode: context.closeCode } : { reason: err.reason },
    });
  }

  private takeAuditToken(): boolean {
    const now = Date.now();
    this.auditTokens = Math.min(AUDIT_BURST, this.auditTokens + ((now - this.auditRefill) / 1000) * AUDIT_BURST);
    this.auditRefill = now;
    if (this.auditTokens < 1) return false;
    this.auditTokens--;
    return true;
  }
}
