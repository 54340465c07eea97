import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../common/auth/auth.decorators.js';
import type { Principal } from '../../common/auth/principal.js';
import { assertTenantAccess } from '../../common/auth/tenant-scope.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { ApiKeysService } from './api-keys.service.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { ApiKeyResponseDto, CreatedApiKeyDto } from './dto/tenant-response.dto.js';
import { TenantsService } from './tenants.service.js';
import { ParseUuidPipe } from '../../common/pipes/parse-uuid.pipe.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@TenantAccess()
@Controller('tenants/:id/api-keys')
export class TenantApiKeysController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Post()
  @Audited('api_key.create', 'api_key')
  @ApiOperation({ summary: 'Create an API key; the secret is in this response only' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  async create(@Param('id', ParseUuidPipe) tenantId: string, @Body() dto: CreateApiKeyDto, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.tenants.get(tenantId);
    return this.apiKeys.create(tenantId, dto.name);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (never the secrets)' })
  @ApiOkResponse({ type: [ApiKeyResponseDto] })
  async list(@Param('id', ParseUuidPipe) tenantId: string, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.tenants.get(tenantId);
    const keys = await this.apiKeys.list(tenantId);
    return keys.map(({ id, name, prefix, createdAt, lastUsedAt, revokedAt }) => ({ id, name, prefix, createdAt, lastUsedAt, revokedAt }));
  }

  @Delete(':keyId')
  @HttpCode(204)
  @Audited('api_key.revoke', 'api_key')
  @ApiOperation({ summary: 'Revoke an API key (idempotent)' })
  @ApiNoContentResponse()
  async revoke(@Param('id', ParseUuidPipe) tenantId: string, @Param('keyId', ParseUuidPipe) keyId: string, @CurrentPrincipal() principal: Principal) {
    assertTenantAccess(principal, tenantId);
    await this.apiKeys.revoke(tenantId, keyId);
  }
}
