import { API_KEY_AUTHENTICATOR } from '../../common/auth/api-key-authenticator.port.js';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysService } from './api-keys.service.js';
import { PhoneNumber } from './phone-number.entity.js';
import { PhoneNumbersRepository } from './phone-numbers.repository.js';
import { PhoneNumbersService } from './phone-numbers.service.js';
import { TenantApiKey } from './tenant-api-key.entity.js';
import { TenantApiKeysController } from './tenant-api-keys.controller.js';
import { TenantCredentialsController } from './tenant-credentials.controller.js';
import { TenantCredentialsModule } from './tenant-credentials.module.js';
import { TenantPhoneNumbersController } from './tenant-phone-numbers.controller.js';
import { Tenant } from './tenant.entity.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Tenant, TenantApiKey, PhoneNumber]), TenantCredentialsModule],
  controllers: [TenantsController, TenantApiKeysController, TenantPhoneNumbersController, TenantCredentialsController],
  providers: [
    TenantsService,
    TenantsRepository,
    ApiKeysService,
    PhoneNumbersService,
    PhoneNumbersRepository,
    { provide: API_KEY_AUTHENTICATOR, useExisting: ApiKeysService },
  ],
  exports: [TenantsService, TenantsRepository, ApiKeysService, PhoneNumbersService, PhoneNumbersRepository, API_KEY_AUTHENTICATOR],
})
export class TenantsModule {}
