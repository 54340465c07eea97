import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AuditService } from '../../../common/audit/audit.service.js';
import { errorMessage } from '../../../common/errors/error-message.js';
import { textField } from '../../../common/json/json-object.js';
import { lookUpApiKey } from '../../../common/auth/api-key-lookup.js';
import { timingSafeEqualStr } from '../../../common/crypto/tokens.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ApiKeysService } from '../../tenants/api-keys.service.js';
import { TenantsService } from '../../tenants/tenants.service.js';
import type { StreamAccess } from '../stream-access.js';
import { StreamTokenService } from '../stream-token.service.js';
import { RealtimeException, RealtimeExceptionCode } from '../realtime.exception.js';

/**
 * Authenticates the SSE routes (marked @Public() for the global ApiKeyGuard): either the API key
 * in `Authorization` (as everywhere), or `?token=` with a stream token, which nothing else
 * accepts. A token bound to a lead opens only that lead's conversation stream.
 */
@Injectable()
export class StreamAuthGuard implements CanActivate {
  private readonly logger = new Logger(StreamAuthGuard.name);

  constructor(
    private readonly tokens: StreamTokenService,
    private readonly apiKeys: ApiKeysService,
    private readonly tenants: TenantsService,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    try {
      const access = await this.authenticate(request);
      request.streamAccess = access;
      // Key holders are also the usual principal downstream (audit, logs); token holders are not.
      if (access.kind === 'admin') request.principal = { kind: 'admin' };
      else if (access.via === 'api-key') request.principal = { kind: 'tenant', tenantId: access.tenantId, apiKeyId: access.apiKeyId };
      return true;
    } catch (err) {
      void this.audit.recordDenied(request, 'stream.auth.rejected', errorMessage(err));
      throw err;
    }
  }

  private async authenticate(request: FastifyRequest): Promise<StreamAccess> {
    const token = textField(request.query, 'token');
    if (token) return this.fromToken(request, token);
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new RealtimeException(RealtimeExceptionCode.MISSING_CREDENTIALS, 'Missing credentials: send Authorization: Bearer <key>, or ?token=<stream token>');
    }
    if (timingSafeEqualStr(match[1], this.config.auth.adminApiKey)) return { kind: 'admin' };
    const found = await lookUpApiKey(() => this.apiKeys.authenticate(match[1]), this.logger, request.id);
    if (!found) throw new UnauthorizedException({ code: 'INVALID_API_KEY', message: 'Invalid or revoked API key' });
    if (found.tenantStatus === 'suspended') throw new ForbiddenException({ code: 'TENANT_SUSPENDED', message: 'This tenant is suspended' });
    return { kind: 'tenant', tenantId: found.tenantId, via: 'api-key', apiKeyId: found.apiKeyId, leadId: null };
  }

  private async fromToken(request: FastifyRequest, token: string): Promise<StreamAccess> {
    const verdict = this.tokens.verify(token);
    if (!verdict.ok) {
      throw new RealtimeException(
        RealtimeExceptionCode.INVALID_STREAM_TOKEN,
        verdict.reason === 'expired' ? 'The stream token has expired' : 'Invalid stream token',
      );
    }
    const { tenantId, leadId } = verdict.claims;
    if (leadId) {
      const routeLead = textField(request.params, 'leadId');
      if (!routeLead) throw new RealtimeException(RealtimeExceptionCode.STREAM_TOKEN_SCOPE, 'This stream token opens one conversation only');
      if (routeLead !== leadId) throw new RealtimeException(RealtimeExceptionCode.STREAM_TOKEN_SCOPE, 'This stream token is for another conversation');
    }
    // Issued before the tenant was suspended (or deleted), a token opens nothing after it.
    let active: Set<string>;
    try {
      active = await this.tenants.activeTenantIds([tenantId]);
    } catch (err) {
      // The token verified, but whether its tenant may still use it needs the database.
      this.logger.error({ err, requestId: request.id }, 'Stream token tenant check failed');
      throw new ServiceUnavailableException('Authentication is temporarily unavailable: try again shortly');
    }
    if (!active.has(tenantId)) throw new ForbiddenException({ code: 'TENANT_SUSPENDED', message: 'This tenant is suspended or no longer exists' });
    return { kind: 'tenant', tenantId, via: 'stream-token', leadId };
  }
}
