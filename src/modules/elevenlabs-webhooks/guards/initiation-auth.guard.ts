import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../../common/audit/audit.service.js';
import { timingSafeEqualStr } from '../../../common/crypto/tokens.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { compileSourceAllowlist, type SourceAllowlist } from '../../../common/webhook-security/source-allowlist.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { SIGNATURE_HEADER, verifyElevenLabsSignature } from '../elevenlabs-signature.js';
import { rejectProviderRequest } from './webhook-rejection.js';

/**
 * The conversation-initiation webhook carries no HMAC: ElevenLabs only sends the static headers
 * configured in its dashboard (protocol notes §2.3). Accepted: the shared-secret header matching
 * one of ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET (constant-time), or a valid
 * ElevenLabs-Signature when one is present.
 */
@Injectable()
export class InitiationAuthGuard implements CanActivate {
  private readonly logger = new Logger(InitiationAuthGuard.name);
  private readonly sources: SourceAllowlist;

  constructor(
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
    const request = context.switchToHttp().getRequest<FastifyRequest & { rawBody?: Buffer }>();
    if (!this.sources.allows(request.ip)) return rejectProviderRequest(this.rejections, request, 'elevenlabs', 'source_not_allowed');
    const secrets = this.config.elevenlabs.webhookSecrets.conversationInitiation;
    const shared = request.headers[this.config.elevenlabs.initiation.secretHeader];
    const signature = request.headers[SIGNATURE_HEADER];
    if (secrets.length === 0) {
      this.logger.error('ELEVENLABS_CONVERSATION_INITIATION_WEBHOOK_SECRET is not configured: every initiation is refused');
      return rejectProviderRequest(this.rejections, request, 'elevenlabs', 'not_configured');
    }
    if (typeof shared === 'string' && shared.length > 0) {
      // Every secret is compared, so the time taken does not say which one (if any) matched.
      const matches = secrets.map((secret) => timingSafeEqualStr(shared, secret));
      if (matches.includes(true)) return true;
    }
    if (signature) {
      const verdict = verifyElevenLabsSignature({ rawBody: request.rawBody, header: signature, secrets, nowSecs: Math.floor(Date.now() / 1000) });
      if (verdict.ok) return true;
      return rejectProviderRequest(this.rejections, request, 'elevenlabs', verdict.reason);
    }
    return rejectProviderRequest(this.rejections, request, 'elevenlabs', shared ? 'shared_secret_mismatch' : 'missing');
  }
}
