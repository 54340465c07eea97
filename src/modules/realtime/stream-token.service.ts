import { Inject, Injectable } from '@nestjs/common';
import { deriveKey } from '../../common/crypto/secret-box.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { signStreamToken, StreamTokenVerdict, verifyStreamToken } from './stream-token.js';

/** Long enough to open (and, with the URL kept, reopen) an EventSource; short enough not to matter if leaked. */
export const STREAM_TOKEN_TTL_MS = 5 * 60_000;

@Injectable()
export class StreamTokenService {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = deriveKey(config.auth.encryptionKey, 'stream-token');
  }

  issue(tenantId: string, leadId: string | null, now = Date.now()): { token: string; expiresAt: Date } {
    const expiresAt = now + STREAM_TOKEN_TTL_MS;
    return { token: signStreamToken(this.key, { tenantId, leadId, expiresAt }), expiresAt: new Date(expiresAt) };
  }

  verify(token: string, now = Date.now()): StreamTokenVerdict {
    return verifyStreamToken(this.key, token, now);
  }
}
