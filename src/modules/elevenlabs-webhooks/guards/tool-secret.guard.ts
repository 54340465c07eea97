import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../../common/audit/audit.service.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { compileSourceAllowlist, type SourceAllowlist } from '../../../common/webhook-security/source-allowlist.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { TOOL_SECRET_HEADER, ToolSecretService, ToolTenant } from '../tools/tool-secret.service.js';
import { rejectProviderRequest } from './webhook-rejection.js';

type ToolRequest = FastifyRequest & { toolTenant?: ToolTenant };

/**
 * Server tools are called by ElevenLabs with the tenant's tool secret in `x-switchboard-tool-secret`.
 * The secret alone names the tenant; a `?tenantId=` is accepted only when it is that same tenant.
 */
@Injectable()
export class ToolSecretGuard implements CanActivate {
  private readonly logger = new Logger(ToolSecretGuard.name);
  private readonly sources: SourceAllowlist;

  constructor(
    private readonly secrets: ToolSecretService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.sources = compileSourceAllowlist(config.elevenlabs.webhookAllowedIps ?? []);
  }

  private get rejections() {
    return { audit: this.audit, metrics: this.metrics, logger: this.logger };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ToolRequest>();
    if (!this.sources.allows(request.ip)) return rejectProviderRequest(this.rejections, request, 'elevenlabs_tools', 'source_not_allowed');
    const secret = request.headers[TOOL_SECRET_HEADER];
    if (typeof secret !== 'string' || secret.trim() === '') return rejectProviderRequest(this.rejections, request, 'elevenlabs_tools', 'missing');
    let tenant: ToolTenant | undefined;
    try {
      tenant = await this.secrets.authenticate(secret.trim());
    } catch (err) {
      // Only the database knows the secret: it is neither accepted nor called wrong, just not checkable now.
      this.logger.error({ err, requestId: request.id, route: request.routeOptions?.url }, 'Tool secret lookup failed');
      throw new ServiceUnavailableException();
    }
    if (!tenant) return rejectProviderRequest(this.rejections, request, 'elevenlabs_tools', 'unknown_secret');
    const requested = (request.query as Record<string, unknown> | undefined)?.tenantId;
    if (requested !== undefined && requested !== tenant.id) return rejectProviderRequest(this.rejections, request, 'elevenlabs_tools', 'tenant_mismatch');
    if (tenant.status !== 'active') return rejectProviderRequest(this.rejections, request, 'elevenlabs_tools', 'tenant_suspended');
    request.toolTenant = tenant;
    return true;
  }
}

/** The tenant whose tool secret authenticated this request. */
export const CurrentToolTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): ToolTenant => {
  const tenant = ctx.switchToHttp().getRequest<ToolRequest>().toolTenant;
  if (!tenant) throw new Error('CurrentToolTenant used on a route without ToolSecretGuard');
  return tenant;
});
