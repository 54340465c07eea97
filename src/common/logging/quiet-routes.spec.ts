import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { isQuietRequest } from './quiet-routes.js';

const req = (originalUrl: string | undefined, url = '/') => ({ url, originalUrl }) as IncomingMessage & { originalUrl?: string };

describe('isQuietRequest', () => {
  it('should silence health probes and metrics scrapes by their full path (middleware sees url "/")', () => {
    expect(isQuietRequest(req('/api/health/ready'))).toBe(true);
    expect(isQuietRequest(req('/api/health'))).toBe(true);
    expect(isQuietRequest(req('/metrics'))).toBe(true);
  });

  it('should log everything else, including paths that merely start alike', () => {
    expect(isQuietRequest(req('/api/webhooks/twilio/voice/status'))).toBe(false);
    expect(isQuietRequest(req('/api/healthcheck-report'))).toBe(false);
    expect(isQuietRequest(req('/metricsx'))).toBe(false);
  });

  it('should fall back to url outside middleware', () => {
    expect(isQuietRequest(req(undefined, '/metrics'))).toBe(true);
  });
});
