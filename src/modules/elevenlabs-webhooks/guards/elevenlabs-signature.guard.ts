import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../../common/audit/audit.service.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { compileSourceAllowlist, type SourceAllowlist } from '../../../common/webhook-security/source-allowlist.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { SIGNATURE_HEADER, verifyElevenLabsSignature } from '../elevenlabs-signature.js';
import { rejectProviderRequest } from './webhook-rejection.js';

export type ElevenLabsEndpoint = keyof AppConfig['elevenlabs']['webhookSecrets'];
const ENDPOINT_META = 'elevenlabs-webhook-endpoint';

/** Names the secret list a route is verified with (each list falls back to ELEVENLABS_WEBHOOK_SECRET). */
export const ElevenLabsWebhookEndpoint = (endpoint: ElevenLabsEndpoint) => SetMetadata(ENDPOINT_META, endpoint);

/**
 * Verifies `ElevenLabs-Signature` over the raw request bytes (see elevenlabs-signature.ts) before
 * anything reads the body. 401 when missing or malformed, 403 when wrong, stale or from the future.
 */
@Injectable()
export class ElevenLabsSignatureGuard implements CanActivate {
  private readonly logger = new Logger(ElevenLabsSignatureGuard.name);
  private readonly sources: SourceAllowlist;

  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sources = compileSourceAllowlist(config.elevenlabs.webhookAllowedIps ?? []);
  }

  private get rejections() {
    return { audit: this.audit, metrics: this.metrics, logger: this.logger };
  }

  canActivate(context: ExecutionContext): boolean {
    const endpoint = this.reflector.getAllAndOverride<ElevenLabsEndpoint | undefined>(ENDPOINT_META, [context.getHandler(), context.getClass()]) ?? 'default';
    const request = context.switchToHttp().getRequest<FastifyRequest & { rawBody?: Buffer }>();
    // ELEVENLABS_WEBHOOK_ALLOWED_IPS adds to the signature, never replaces it.
    if (!this.sources.allows(request.ip)) return rejectProviderRequest(this.rejections, request, 'elevenlabs', 'source_not_allowed');
    const verdict = verifyElevenLabsSignature({
      rawBody: request.rawBody,
      header: request.headers[SIGNATURE_HEADER],
      secrets: this.config.elevenlabs.webhookSecrets[endpoint],
      nowSecs: Math.floor(Date.now() / 1000),
    });
    if (verdict.ok) return true;
    if (verdict.reason === 'not_configured') this.logger.error(`No ElevenLabs webhook secret is configured for ${endpoint}: every request is refused`);
    return rejectProviderRequest(this.rejections, request, 'elevenlabs', verdict.reason);
  }
}
