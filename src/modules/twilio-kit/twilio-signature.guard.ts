import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { remainingMs, withDeadline } from '../../common/async/deadline.js';
import { AuditService } from '../../common/audit/audit.service.js';
import { sha256Hex } from '../../common/crypto/tokens.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { compileSourceAllowlist, type SourceAllowlist } from '../../common/webhook-security/source-allowlist.js';
import { TwilioParams, verifyTwilioJsonSignature, verifyTwilioSignature } from '../../common/webhook-security/twilio-signature.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import { TWILIO_DEGRADED_ACCESS, type TwilioAccountContext } from './twilio-request.js';

type RejectionReason = 'source_not_allowed' | 'missing_signature' | 'malformed_account' | 'unknown_account' | 'signature_mismatch' | 'unverifiable';

// Anything else is refused before it reaches a query (a NUL byte once made PostgreSQL fail the
// lookup, and the failure path let the request through: issue #13).
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;

/**
 * X-Twilio-Signature on every Twilio webhook (https://www.twilio.com/docs/usage/security).
 * The signed URL is PUBLIC_BASE_URL + the raw path and query, because behind a TLS-terminating
 * balancer the app sees http and an internal host; the token is that of the account named by the
 * body's AccountSid (platform account or a tenant's subaccount), and only a signature made with
 * it makes the AccountSid, and so the tenant, trustworthy. Fails closed: when the token cannot be
 * looked up, only a signature that verifies with a token held in memory (the platform's, or the
 * subaccount's last confirmed one) gets anything, and then only degraded access or a 503.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger(TwilioSignatureGuard.name);
  private readonly sources: SourceAllowlist;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: TwilioCredentialsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {
    this.sources = compileSourceAllowlist(config.twilio.webhookAllowedIps ?? []);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest>>();
    if (!this.sources.allows(request.ip)) throw this.reject(request, 'source_not_allowed');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const signature = request.headers['x-twilio-signature'];
    if (this.config.twilio.validateSignatures && (typeof signature !== 'string' || signature.length === 0)) throw this.reject(request, 'missing_signature');
    // Absent = the platform account (its signature must still verify); present = a well-formed SID.
    if (body.AccountSid !== undefined && !(typeof body.AccountSid === 'string' && ACCOUNT_SID.test(body.AccountSid)))
      throw this.reject(request, 'malformed_account');
    const accountSid = body.AccountSid;

    let account: Awaited<ReturnType<TwilioCredentialsService['authTokenForAccount']>>;
    try {
      // A subaccount's token comes from the database: bounded by the webhook deadline (then degraded or 503).
      const http = context.switchToHttp();
      const elapsed = typeof http.getResponse === 'function' ? http.getResponse<FastifyReply>()?.elapsedTime : undefined;
      account = await withDeadline(this.credentials.authTokenForAccount(accountSid), remainingMs(this.config.twilio.webhookDeadlineMs, elapsed));
    } catch (err) {
      return this.lookupFailed(context, request, accountSid, err);
    }

    if (!this.config.twilio.validateSignatures) {
      // Local development only (main.ts warns loudly at boot): nothing here is authenticated.
      request.twilioAccount = { accountSid: accountSid ?? null, tenantId: account?.tenantId ?? null, degraded: false };
      return true;
    }
    if (!account) throw this.reject(request, 'unknown_account', accountSid);
    if (!this.verifies(request, account.authToken)) throw this.reject(request, 'signature_mismatch', accountSid);
    request.twilioAccount = { accountSid: accountSid ?? null, tenantId: account.tenantId, degraded: false } satisfies TwilioAccountContext;
    return true;
  }

  private verifies(request: RawBodyRequest<FastifyRequest>, authToken: string): boolean {
    const signature = request.headers['x-twilio-signature'] as string;
    const url = this.config.publicBaseUrl + request.url;
    const isJson = String(request.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/json');
    return isJson
      ? verifyTwilioJsonSignature(authToken, signature, url, request.rawBody ?? Buffer.alloc(0), sha256Hex)
      : verifyTwilioSignature(authToken, signature, url, (request.body ?? {}) as TwilioParams);
  }

  /** The database could not be asked: decide from what is verifiable without it, never let the unverified through. */
  private lookupFailed(context: ExecutionContext, request: RawBodyRequest<FastifyRequest>, accountSid: string | undefined, err: unknown): boolean {
    const allowDegraded = this.reflector.getAllAndOverride<boolean>(TWILIO_DEGRADED_ACCESS, [context.getHandler(), context.getClass()]) === true;
    this.logger.error({ err, accountSid, route: request.routeOptions?.url, allowDegraded }, 'Twilio auth token lookup failed');
    let tenantId: string | null = null;
    if (this.config.twilio.validateSignatures) {
      const known = this.credentials.knownAuthTokenForAccount(accountSid);
      const platform = this.credentials.knownAuthTokenForAccount(undefined);
      // Both are computed, so the time taken does not say which (if either) matched.
      const bySubaccount = !!known && this.verifies(request, known.authToken);
      const byPlatform = !!platform && this.verifies(request, platform.authToken);
      if (!bySubaccount && !byPlatform) throw this.reject(request, 'unverifiable', accountSid);
      tenantId = bySubaccount ? known.tenantId : null;
    }
    // Correctly signed (or development mode), but the route cannot work without the database.
    if (!allowDegraded) throw new ServiceUnavailableException();
    request.twilioAccount = { accountSid: accountSid ?? null, tenantId, degraded: true };
    return true;
  }

  private reject(request: FastifyRequest, reason: RejectionReason, accountSid?: string): HttpException {
    // The reason goes to the log, the audit trail and a metric; the caller learns nothing.
    this.logger.warn({ reason, accountSid, sourceIp: request.ip, route: request.routeOptions?.url, requestId: request.id }, 'Twilio webhook rejected');
    this.metrics.webhookRejections.inc({ provider: 'twilio', reason });
    void this.audit.recordDenied(request, 'twilio.webhook.rejected', reason, { actorType: 'provider', actorId: 'twilio' });
    return reason === 'missing_signature' ? new UnauthorizedException() : new ForbiddenException();
  }
}
