import { Body, ConflictException, Controller, Delete, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../../common/auth/auth.decorators.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { ElevenLabsApiClient } from '../provider-clients/elevenlabs-api.client.js';
import { TwilioCredentialsService } from '../provider-clients/twilio-credentials.service.js';
import { ElevenLabsCredentialsDto, TwilioCredentialsDto } from './dto/tenant-credentials.dto.js';
import { TenantsService } from './tenants.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';
import { isUniqueViolation } from '../../database/pg-errors.js';

/**
 * A tenant's own provider accounts (platform admin only). Secrets are encrypted before they are
 * stored and no endpoint ever returns them; every change is audited (without the secret).
 */
@ApiTags('tenants')
@ApiBearerAuth()
@AdminOnly()
@Controller('tenants/:id')
export class TenantCredentialsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly twilio: TwilioCredentialsService,
    private readonly elevenlabs: ElevenLabsApiClient,
  ) {}

  @Put('twilio-credentials')
  @HttpCode(204)
  @Audited('tenant.twilio_credentials.set', 'tenant')
  @ApiOperation({ summary: "Use the tenant's own Twilio subaccount: its webhooks are verified with this token (admin)" })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'Another tenant already uses this account' })
  async setTwilio(@Param('id', ParseUuidPipe) id: string, @Body() dto: TwilioCredentialsDto): Promise<void> {
    await this.tenants.get(id);
    try {
      await this.twilio.setTenantCredentials(id, { accountSid: dto.accountSid, authToken: dto.authToken });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new ConflictException('This Twilio account is already linked to another tenant');
      }
      throw err;
    }
  }

  @Delete('twilio-credentials')
  @HttpCode(204)
  @Audited('tenant.twilio_credentials.delete', 'tenant')
  @ApiOperation({ summary: 'Go back to the platform Twilio account (admin)' })
  @ApiNoContentResponse()
  async deleteTwilio(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.tenants.get(id);
    await this.twilio.setTenantCredentials(id, null);
  }

  @Put('elevenlabs-credentials')
  @HttpCode(204)
  @Audited('tenant.elevenlabs_credentials.set', 'tenant')
  @ApiOperation({ summary: "Use the tenant's own ElevenLabs API key (admin)" })
  @ApiNoContentResponse()
  async setElevenLabs(@Param('id', ParseUuidPipe) id: string, @Body() dto: ElevenLabsCredentialsDto): Promise<void> {
    await this.tenants.get(id);
    await this.elevenlabs.setTenantApiKey(id, dto.apiKey);
  }

  @Delete('elevenlabs-credentials')
  @HttpCode(204)
  @Audited('tenant.elevenlabs_credentials.delete', 'tenant')
  @ApiOperation({ summary: 'Go back to the platform ElevenLabs key (admin)' })
  @ApiNoContentResponse()
  async deleteElevenLabs(@Param('id', ParseUuidPipe) id: string): Promise<void> {
    await this.tenants.get(id);
    await this.elevenlabs.setTenantApiKey(id, null);
  }
}
