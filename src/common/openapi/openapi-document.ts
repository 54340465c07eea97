import type { INestApplication } from '@nestjs/common';
import { type ContentObject, DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from '../errors/error-response.dto.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const ERROR_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid input (VALIDATION_FAILED with details per field, INVALID_UUID, TENANT_REQUIRED, INVALID_JSON, ...)',
  '401': 'No key, or an invalid or revoked one (MISSING_API_KEY, INVALID_API_KEY); webhooks: unsigned',
  '403': 'The key may not do this (ADMIN_KEY_REQUIRED, TENANT_SUSPENDED); webhooks: bad signature',
  '404': 'No such resource, or it belongs to another tenant',
  '413': 'The body is over the size limit (PAYLOAD_TOO_LARGE)',
  '415': 'The Content-Type is not one this endpoint takes (UNSUPPORTED_MEDIA_TYPE)',
  '500': 'A fault on our side (INTERNAL_ERROR); quote errorId',
};

function errorContent(): ContentObject {
  return { 'application/json': { schema: { $ref: getSchemaPath(ErrorResponseDto) } } };
}

/**
 * Every operation documents the error statuses it can answer, each with the one error body
 * (ErrorResponseDto). Statuses a controller declared keep their description and get the schema.
 */
export function withErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const statuses = ['500'];
      if (op.parameters?.length || op.requestBody) statuses.push('400');
      if (op.security?.length) statuses.push('401', '403');
      if (path.includes('{')) statuses.push('404');
      if (op.requestBody) statuses.push('413', '415');
      for (const status of statuses) op.responses[status] ??= { description: ERROR_DESCRIPTIONS[status] };
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && response && !('$ref' in response) && !response.content) response.content = errorContent();
      }
    }
  }
  return document;
}

/** The OpenAPI document served at /docs-json: admin API, webhooks and the error shape. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Switchboard API')
    .setDescription(
      'Admin API (tenants, phone numbers, calls, leads, usage; `Authorization: Bearer <key>`: the platform admin key or a tenant API key) ' +
        'and the webhooks Twilio and ElevenLabs call (tag `webhooks`). Every error answers ErrorResponseDto: ' +
        '`{ statusCode, error, code, message, details?, errorId? }`; see docs/api.md.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return withErrorResponses(SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto] }));
}
