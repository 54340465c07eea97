import { applyDecorators } from '@nestjs/common';
import {
  ApiConsumes,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiProperty,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const FORM = 'application/x-www-form-urlencoded';

export class WebhookProbeDto {
  @ApiProperty({ enum: ['ok'] }) status: 'ok';
  @ApiProperty({ example: 'POST from Twilio with X-Twilio-Signature' }) accepts: string;
}

// Signature refusals: fixed bodies, no detail (docs/api.md).
const refusals = [ApiUnauthorizedResponse({ description: 'Unsigned' }), ApiForbiddenResponse({ description: 'Bad signature or unknown account' })];
const twilioSignature = applyDecorators(
  ApiHeader({ name: 'x-twilio-signature', required: true, description: "Twilio's HMAC-SHA1 of the URL and form (docs/twilio.md)" }),
  ...refusals,
);

/** A Twilio webhook that answers TwiML (200, text/xml). */
export const TwimlWebhookDocs = (summary: string) =>
  applyDecorators(
    ApiTags('webhooks'),
    ApiOperation({ summary }),
    ApiConsumes(FORM, 'application/json'),
    ApiProduces('text/xml'),
    twilioSignature,
    ApiOkResponse({ description: 'TwiML instructions', content: { 'text/xml': { schema: { type: 'string' } } } }),
  );

/** A Twilio status callback: 204, no body. */
export const TwilioCallbackDocs = (summary: string) =>
  applyDecorators(
    ApiTags('webhooks'),
    ApiOperation({ summary }),
    ApiConsumes(FORM, 'application/json'),
    twilioSignature,
    ApiNoContentResponse({ description: 'Recorded' }),
  );

/** The GET twin of a webhook path, for setup checks. */
export const WebhookProbeDocs = () =>
  applyDecorators(
    ApiTags('webhooks'),
    ApiOperation({ summary: 'Setup check: says the webhook is there (POST is the webhook)' }),
    ApiOkResponse({ type: WebhookProbeDto }),
  );

/** An ElevenLabs webhook signed with `ElevenLabs-Signature: t=..,v0=..` over the raw JSON body. */
export const ElevenLabsWebhookDocs = (summary: string) =>
  applyDecorators(
    ApiTags('webhooks'),
    ApiOperation({ summary }),
    ApiConsumes('application/json'),
    ApiHeader({ name: 'elevenlabs-signature', required: true, description: 't=<unix seconds>,v0=<HMAC-SHA256 hex> (docs/elevenlabs.md)' }),
    ...refusals,
  );
