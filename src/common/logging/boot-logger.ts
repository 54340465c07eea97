import type { LoggerService } from '@nestjs/common';
import { pino, type Logger as PinoLogger } from 'pino';
import { REDACT_PATHS } from './redaction.js';

// Nest's own wiring lines ("X dependencies initialized", "Mapped {/api/..., POST} route"): useful
// when debugging the module graph, noise in a boot log. They are logged at debug.
const WIRING_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'WebSocketsController', 'NestApplication']);

export interface BootLogOptions {
  level: string;
  pretty: boolean;
}

/** The process's pino root logger for what happens before (and around) the Nest application. */
export function createBootPino(options: BootLogOptions): PinoLogger {
  return pino({
    level: options.level,
    base: { service: 'switchboard' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    transport: options.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}

/**
 * Nest's logger while the application is being created (before nestjs-pino's request-aware logger
 * takes over in configureApp): the same JSON lines as the rest of the process, wiring at debug.
 */
export class BootLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(context && WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    // Nest's ExceptionHandler reports a failed boot; main.ts reports it once, as the fatal line.
    const context = contextOf(rest);
    this.write(context === 'ExceptionHandler' ? 'debug' : 'error', message, context);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, contextOf(rest));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, contextOf(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, contextOf(rest));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, contextOf(rest));
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, context?: string): void {
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.root[level]({ context }, text);
  }
}

function contextOf(rest: unknown[]): string | undefined {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/** The application logger (nestjs-pino) with Nest's wiring lines at debug, like the boot logger. */
export class WiringAtDebugLogger implements LoggerService {
  constructor(private readonly delegate: LoggerService) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    if (context && WIRING_CONTEXTS.has(context)) this.delegate.debug?.(message, ...rest);
    else this.delegate.log(message, ...rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.delegate.error(message, ...rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.delegate.warn(message, ...rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.delegate.debug?.(message, ...rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.delegate.verbose?.(message, ...rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.delegate.fatal?.(message, ...rest);
  }
}
