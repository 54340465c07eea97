import { type Logger, ServiceUnavailableException } from '@nestjs/common';

/**
 * A tenant key the database cannot be asked about is neither accepted nor called invalid (which
 * could make a client discard a good key): 503, try again. Never a 500, never let through.
 */
export async function lookUpApiKey<T>(lookup: () => Promise<T>, logger: Logger, requestId: unknown): Promise<T> {
  try {
    return await lookup();
  } catch (err) {
    logger.error({ err, requestId }, 'API key lookup failed');
    throw new ServiceUnavailableException('Authentication is temporarily unavailable: try again shortly');
  }
}
