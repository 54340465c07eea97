import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, TenantAccess } from '../../../common/auth/auth.decorators.js';
import type { Principal } from '../../../common/auth/principal.js';
import { assertTenantAccess } from '../../../common/auth/tenant-scope.js';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { TenantsException, TenantsExceptionCode } from '../../tenants/tenants.exception.js';
import { TOOL_SECRET_HEADER, ToolSecretService } from './tool-secret.service.js';
import { ParseUuidPipe } from '../../../common/pipes/parse-uuid.pipe.js';

export class ToolSecretResponseDto {
  @ApiProperty({ description: "The secret. Shown only in this response: put it in the tools' header now." }) toolSecret: string;
  @ApiProperty({ example: TOOL_SECRET_HEADER }) header: string;
}

@ApiTags('server-tools')
@ApiBearerAuth()
@TenantAccess()
@Controller('tenants/:id/tool-secret')
export class ToolSecretController {
  constructor(private readonly secrets: ToolSecretService) {}

  @Post()
  @Audited('tool_secret.rotate', 'tenant')
  @ApiOperation({ summary: "Create or rotate the secret ElevenLabs sends to this tenant's server tools (the previous one stops working)" })
  @ApiCreatedResponse({ type: ToolSecretResponseDto })
  async rotate(@Param('id', ParseUuidPipe) tenantId: string, @CurrentPrincipal() principal: Principal): Promise<ToolSecretResponseDto> {
    assertTenantAccess(principal, tenantId);
    const toolSecret = await this.secrets.rotate(tenantId);
    if (!toolSecret) throw new TenantsException(TenantsExceptionCode.TENANT_NOT_FOUND, 'Tenant not found');
    return { toolSecret, header: TOOL_SECRET_HEADER };
  }

  @Delete()
  @HttpCode(204)
  @Audited('tool_secret.revoke', 'tenant')
  @ApiOperation({ summary: "Revoke the server-tool secret: the tenant's tools answer 403 until a new one is created" })
  @ApiNoContentResponse()
  async revoke(@Param('id', ParseUuidPipe) tenantId: string, @CurrentPrincipal() principal: Principal): Promise<void> {
    assertTenantAccess(principal, tenantId);
    if (!(await this.secrets.revoke(tenantId))) throw new TenantsException(TenantsExceptionCode.TENANT_NOT_FOUND, 'Tenant not found');
  }
}
