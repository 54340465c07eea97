import { Inject, Injectable } from '@nestjs/common';
import { deriveKey } from '../../common/crypto/secret-box.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { signSessionToken, SessionTokenVerdict, verifySessionToken } from './session-token.js';

/** A caller has this long between our TwiML and Twilio opening the media stream. */
export const SESSION_TOKEN_TTL_MS = 5 * 60_000;

/** Issues (voice webhook) and verifies (media bridge) media-stream session tokens. */
@Injectable()
export class SessionTokenService {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = deriveKey(config.auth.encryptionKey, 'media-session');
  }

  issue(callSid: string, tenantId: string, callId: string, now = Date.now()): string {
    return signSessionToken(this.key, { callSid, tenantId, callId, expiresAt: now + SESSION_TOKEN_TTL_MS });
  }

  verify(token: string, callSid: string, now = Date.now()): SessionTokenVerdict {
    return verifySessionToken(this.key, token, callSid, now);
  }
}
