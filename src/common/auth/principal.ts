export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenantId: string; apiKeyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
