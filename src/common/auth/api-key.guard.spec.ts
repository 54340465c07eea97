import { beforeAll, describe, expect, it } from '@jest/globals';
import { type ExecutionContext, Logger, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '../../config/app-config.js';
import type { ApiKeyAuthenticator } from './api-key-authenticator.port.js';
import type { AuditService } from '../audit/audit.service.js';
import { ApiKeyGuard } from './api-key.guard.js';

// Fails closed when the key store cannot be asked: 503 (the key is not called invalid), never a
// 500 and never a principal; the admin key needs no database.
const ADMIN = 'admin-key-0123456789abcdef';

function setup(lookup: ApiKeyAuthenticator['authenticate']) {
  const denied: string[] = [];
  const audit = { recordDenied: async (_r: unknown, _a: string, reason: string) => void denied.push(reason) } as unknown as AuditService;
  const apiKeys: ApiKeyAuthenticator = { authenticate: lookup };
  const guard = new ApiKeyGuard(new Reflector(), apiKeys, audit, { auth: { adminApiKey: ADMIN } } as AppConfig);
  const run = (authorization?: string) => {
    const request: Record<string, unknown> = { id: 'req-1', headers: authorization ? { authorization } : {} };
    const context = {
      getType: () => 'http',
      getHandler: () => () => undefined,
      getClass: () => class {},
      switchToHttp: () => ({ getRequest: () => request }),
    } as unknown as ExecutionContext;
    return { request, result: guard.canActivate(context) };
  };
  return { run, denied };
}

describe(ApiKeyGuard.name, () => {
  beforeAll(() => Logger.overrideLogger(false));
  const down = async () => {
    throw new Error('Connection terminated unexpectedly');
  };

  it('should answer 503 and set no principal when the key lookup fails', async () => {
    const { run, denied } = setup(down);
    const { request, result } = run('Bearer sk_live_whatever');
    await expect(result).rejects.toBeInstanceOf(ServiceUnavailableException);
    expect(request.principal).toBeUndefined();
    expect(denied).toEqual([expect.stringMatching(/temporarily unavailable/)]);
  });

  it('should still accept the admin key and refuse a missing one without the database', async () => {
    const { run } = setup(down);
    const admin = run(`Bearer ${ADMIN}`);
    await expect(admin.result).resolves.toBe(true);
    expect(admin.request.principal).toEqual({ kind: 'admin' });
    await expect(run().result).rejects.toBeInstanceOf(UnauthorizedException);
  });
});
