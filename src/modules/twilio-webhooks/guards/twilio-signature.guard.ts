import { CanActivate, ExecutionContext, ForbiddenException, HttpException, Inject, Injectable, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { remainingMs, withDeadline } from '../../../common/async/deadline.js';
import { AuditService } from '../../../common/audit/audit.service.js';
import { sha256Hex } from '../../../common/crypto/tokens.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { TwilioParams, verifyTwilioJsonSignature, verifyTwilioSignature } from '../../../common/webhook-security/twilio-signature.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { TwilioCredentialsService } from '../../provider-clients/twilio-credentials.service.js';
import { TWILIO_DEGRADED_ACCESS, type TwilioAccountContext } from './twilio-request.js';

type RejectionReason = 'missing_signature' | 'unknown_account' | 'signature_mismatch';

/**
 * X-Twilio-Signature on every Twilio webhook (https://www.twilio.com/docs/usage/security).
 * The signed URL is PUBLIC_BASE_URL + the raw path and query, because behind a TLS-terminating
 * balancer the app sees http and an internal host; the token is that of the account named by the
 * body's AccountSid (platform account or a tenant's subaccount), and only a signature made with
 * it makes the AccountSid, and so the tenant, trustworthy.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger(TwilioSignatureGuard.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: TwilioCredentialsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest>>();
    const isJson = String(request.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    const body = (request.body ?? {}) as Record<string, unknown>;
    const accountSid = typeof body.AccountSid === 'string' ? body.AccountSid : undefined;

    const signature = request.headers['x-twilio-signature'];
    if (this.config.twilio.validateSignatures && (typeof signature !== 'string' || signature.length === 0)) {
      throw this.reject(request, 'missing_signature', accountSid);
    }

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

    const url = this.config.publicBaseUrl + request.url;
    const valid = isJson
      ? verifyTwilioJsonSignature(account.authToken, signature as string, url, request.rawBody ?? Buffer.alloc(0), sha256Hex)
      : verifyTwilioSignature(account.authToken, signature as string, url, body as TwilioParams);
    if (!valid) throw this.reject(request, 'signature_mismatch', accountSid);

    request.twilioAccount = { accountSid: accountSid ?? null, tenantId: account.tenantId, degraded: false } satisfies TwilioAccountContext;
    return true;
  }

  private lookupFailed(context: ExecutionContext, request: FastifyRequest, accountSid: string | undefined, err: unknown): boolean {
    const allowDegraded = this.reflector.getAllAndOverride<boolean>(TWILIO_DEGRADED_ACCESS, [context.getHandler(), context.getClass()]) === true;
    this.logger.error({ err, accountSid, route: request.routeOptions?.url, allowDegraded }, 'Twilio auth token lookup failed');
    if (!allowDegraded) throw new ServiceUnavailableException();
    request.twilioAccount = { accountSid: accountSid ?? null, tenantId: null, degraded: true };
    return true;
  }

  private reject(request: FastifyRequest, reason: RejectionReason, accountSid: string | undefined): HttpException {
    // The reason goes to the log, the audit trail and a metric; the caller learns nothing.
    this.logger.warn({ reason, accountSid, route: request.routeOptions?.url, requestId: request.id }, 'Twilio webhook rejected');
    this.metrics.webhookRejections.inc({ provider: 'twilio', reason });
    void this.audit.recordDenied(request, 'twilio.webhook.rejected', reason, { actorType: 'provider', actorId: 'twilio' });
    return reason === 'missing_signature' ? new UnauthorizedException() : new ForbiddenException();
  }
}
