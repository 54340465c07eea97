import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TENANT_CREDENTIALS_STORE } from '../provider-clients/tenant-credentials-store.port.js';
import { TenantCredentialsRepository } from './tenant-credentials.repository.js';
import { Tenant } from './tenant.entity.js';

/**
 * Provides the provider clients' TENANT_CREDENTIALS_STORE port. Global, like ProviderClientsModule
 * that needs it: provider-clients depends on its port only, never on the tenants module (whose
 * credentials controller uses the provider clients). Imported by TenantsModule.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Tenant])],
  providers: [TenantCredentialsRepository, { provide: TENANT_CREDENTIALS_STORE, useExisting: TenantCredentialsRepository }],
  exports: [TENANT_CREDENTIALS_STORE],
})
export class TenantCredentialsModule {}
