import { Controller, Get, Header, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import { TwimlWebhookDocs, WebhookProbeDocs } from '../../common/openapi/webhook-docs.js';
import { Public } from '../../common/auth/auth.decorators.js';
import { SkipAudit } from '../../common/audit/audited.decorator.js';
import { twilioAccountOf } from '../twilio-kit/twilio-request.js';
import { TwilioSignatureGuard } from '../twilio-kit/twilio-signature.guard.js';
import { TwilioParams } from '../twilio-kit/twilio-params.decorator.js';
import { IncomingSmsParams, SmsStatusParams } from './dto/sms-webhook.dto.js';
import { SmsInboundService } from './sms-inbound.service.js';
import { SmsStatusService } from './sms-status.service.js';
import { textOf } from '../../common/json/text-of.js';

const TWIML = 'text/xml; charset=utf-8';
const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

/** Twilio messaging webhooks (signed form POSTs). Replies go out through the REST API, never inline. */
@Public()
@SkipAudit()
@UseGuards(TwilioSignatureGuard)
@Controller('webhooks/twilio/sms')
export class SmsWebhookController {
  constructor(
    private readonly inbound: SmsInboundService,
    private readonly statuses: SmsStatusService,
  ) {}

  /** A message to one of our numbers (SmsUrl); WhatsApp arrives here too, with `whatsapp:` addresses. */
  @Post(['', 'incoming'])
  @TwimlWebhookDocs('An incoming SMS or WhatsApp message (SmsUrl); answers an empty <Response/>')
  @HttpCode(200)
  @Header('Content-Type', TWIML)
  async incoming(@TwilioParams(IncomingSmsParams) params: IncomingSmsParams, @Req() request: FastifyRequest): Promise<string> {
    await this.inbound.receive(params, twilioAccountOf(request));
    return EMPTY;
  }

  /** Delivery status of our messages (StatusCallback); `/fallback` is the number's SmsFallbackUrl. */
  @Post(['status', 'fallback'])
  @TwimlWebhookDocs("Delivery status of our messages; /fallback is the number's SmsFallbackUrl")
  @HttpCode(200)
  @Header('Content-Type', TWIML)
  async status(@Req() request: FastifyRequest): Promise<string> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    // The fallback URL receives incoming messages our primary URL failed on: treat those as messages.
    if (!body.MessageStatus || body.MessageStatus === 'received') {
      const params = plainToInstance(IncomingSmsParams, body);
      if (validateSync(params).length === 0) await this.inbound.receive(params, twilioAccountOf(request));
      return EMPTY;
    }
    const params = plainToStatus(body);
    if (params) await this.statuses.update(params, twilioAccountOf(request));
    return EMPTY;
  }
}

function plainToStatus(body: Record<string, unknown>): SmsStatusParams | null {
  const sid = body.MessageSid ?? body.SmsSid;
  if (typeof sid !== 'string' || typeof body.MessageStatus !== 'string' || !/^(SM|MM)[0-9a-fA-F]{32}$/.test(sid)) return null;
  const error = typeof body.ErrorCode === 'string' && /^\d{1,6}$/.test(body.ErrorCode) ? body.ErrorCode : undefined;
  return { MessageSid: sid, AccountSid: textOf(body.AccountSid), MessageStatus: body.MessageStatus, ErrorCode: error };
}

/** GET on the SMS webhook paths, for setup checks; kept apart so the signature guard does not apply (as for voice). */
@Public()
@Controller('webhooks/twilio/sms')
export class SmsWebhookProbeController {
  @Get(['', 'incoming', 'status', 'fallback'])
  @WebhookProbeDocs()
  health() {
    return { status: 'ok', accepts: 'POST from Twilio with X-Twilio-Signature' };
  }
}
