import { Module } from '@nestjs/common';
import { CallsModule } from '../calls/calls.module.js';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { QuotaService } from './quota.service.js';
import { UsageAlert } from './usage-alert.entity.js';
import { UsageDaily } from './usage-daily.entity.js';
import { UsageController } from './usage.controller.js';
import { UsageService } from './usage.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([UsageDaily, UsageAlert]), TenantsModule, CallsModule],
  controllers: [UsageController],
  providers: [UsageService, QuotaService],
  exports: [UsageService, QuotaService],
})
export class UsageModule {}
