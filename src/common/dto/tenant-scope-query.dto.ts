import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

/** `?tenantId=` on tenant-scoped routes: a tenant key may omit it (or name its own tenant); the admin key must say which tenant. */
export class TenantScopeQueryDto {
  @ApiPropertyOptional({ description: 'Admin key only: the tenant the request acts for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}
