import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { API_KEY_AUTHENTICATOR, type ApiKeyAuthenticator } from './api-key-authenticator.port.js';
import { AuditService } from '../audit/audit.service.js';
import { errorMessage } from '../errors/error-message.js';
import { timingSafeEqualStr } from '../crypto/tokens.js';
import { lookUpApiKey } from './api-key-lookup.js';
import { AUTH_POLICY, AuthPolicy } from './auth.decorators.js';
import type { Principal } from './principal.js';

/**
 * Global: every route needs `Authorization: Bearer <key>` unless marked @Public(). The admin key
 * is the platform operator's; tenant keys are looked up by hash. Refusals are audited here, since
 * guards run before the audit interceptor.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly logger = new Logger(ApiKeyGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_AUTHENTICATOR) private readonly apiKeys: ApiKeyAuthenticator,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [context.getHandler(), context.getClass()]) ?? 'admin';
    if (policy === 'public') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    try {
      request.principal = await this.authenticate(request, policy);
      return true;
    } catch (err) {
      void this.audit.recordDenied(request, 'auth.rejected', errorMessage(err));
      throw err;
    }
  }

  private async authenticate(request: FastifyRequest, policy: AuthPolicy): Promise<Principal> {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException({ code: 'MISSING_API_KEY', message: 'Missing API key: send Authorization: Bearer <key>' });
    const key = match[1];
    if (timingSafeEqualStr(key, this.config.auth.adminApiKey)) return { kind: 'admin' };
    const found = await lookUpApiKey(() => this.apiKeys.authenticate(key), this.logger, request.id);
    if (!found) throw new UnauthorizedException({ code: 'INVALID_API_KEY', message: 'Invalid or revoked API key' });
    if (found.tenantStatus === 'suspended') throw new ForbiddenException({ code: 'TENANT_SUSPENDED', message: 'This tenant is suspended' });
    if (policy === 'admin') throw new ForbiddenException({ code: 'ADMIN_KEY_REQUIRED', message: 'This endpoint needs the platform admin key' });
    return { kind: 'tenant', tenantId: found.tenantId, apiKeyId: found.apiKeyId };
  }
}
