import { CallHandler, ExecutionContext, HttpException, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import { AUDIT_META, AuditMeta } from '../audit/audited.decorator.js';
import { actorOf, AuditService } from '../audit/audit.service.js';
import { errorMessage } from '../errors/error-message.js';
import { textField } from '../json/json-object.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Audits every authenticated write: who, which tenant, what, on which resource, and how it ended.
 * Writing the row never fails the request.
 */
@Injectable()
export class AuditLogInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const meta = this.reflector.get<AuditMeta | false | undefined>(AUDIT_META, context.getHandler());
    if (meta === false || !WRITE_METHODS.has(request.method) || !request.principal) return next.handle();

    const action = meta?.action ?? `${request.method} ${request.routeOptions?.url ?? request.url}`;
    const param = (name: 'id' | 'tenantId' | 'keyId' | 'numberId') => textField(request.params, name);
    const write = (outcome: 'success' | 'failure', statusCode: number, resourceId?: string, reason?: string) =>
      this.audit.record({
        ...actorOf(request.principal),
        tenantId:
          request.principal?.kind === 'tenant'
            ? request.principal.tenantId
            : (param('id') ?? param('tenantId') ?? (meta?.resourceType === 'tenant' ? resourceId : null) ?? null),
        action,
        resourceType: meta?.resourceType ?? null,
        resourceId: resourceId ?? param('keyId') ?? param('numberId') ?? param('id') ?? null,
        outcome,
        statusCode,
        requestId: String(request.id),
        sourceIp: request.ip,
        details: reason ? { reason } : null,
      });

    // The row is written before the response leaves (so it is never lost to a crash right after),
    // and AuditService.record never throws.
    return next.handle().pipe(
      mergeMap((body: unknown) => {
        // Nest applies @HttpCode after the handler's observable completes, so read it from metadata.
        const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
        return from(write('success', status, textField(body, 'id')).then(() => body));
      }),
      catchError((err: unknown) =>
        from(write('failure', err instanceof HttpException ? err.getStatus() : 500, undefined, errorMessage(err))).pipe(mergeMap(() => throwError(() => err))),
      ),
    );
  }
}
