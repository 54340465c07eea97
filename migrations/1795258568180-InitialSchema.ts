import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Tenants, their API keys and phone numbers, and the audit log (generated from the entities, reviewed).

export class InitialSchema1795258568180 implements MigrationInterface {
  name = 'InitialSchema1795258568180';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_logs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_type" character varying(16) NOT NULL, "actor_id" character varying(64), "tenant_id" uuid, "action" character varying(64) NOT NULL, "resource_type" character varying(32), "resource_id" character varying(64), "outcome" character varying(16) NOT NULL, "status_code" smallint, "request_id" character varying(128), "source_ip" character varying(45), "details" jsonb, CONSTRAINT "PK_1bb179d048bbc581caa3b013439" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_time" ON "audit_logs"  ("occurred_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_audit_logs_tenant_time" ON "audit_logs"  ("tenant_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE TABLE "tenants" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "slug" character varying(63) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'active', "timezone" character varying(64) NOT NULL DEFAULT 'UTC', "settings" jsonb NOT NULL DEFAULT '{}'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_tenants_status" CHECK ("status" IN ('active', 'suspended')), CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_tenants_slug" ON "tenants"  ("slug") `);
    await queryRunner.query(
      `CREATE TABLE "phone_numbers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "e164" character varying(16) NOT NULL, "twilio_sid" character varying(34), "voice_enabled" boolean NOT NULL DEFAULT true, "sms_enabled" boolean NOT NULL DEFAULT false, "whatsapp_enabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a72cf9a1834a1417e195fdd2c02" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_phone_numbers_tenant" ON "phone_numbers"  ("tenant_id", "created_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_phone_numbers_e164" ON "phone_numbers"  ("e164") `);
    await queryRunner.query(
      `CREATE TABLE "tenant_api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "prefix" character varying(16) NOT NULL, "key_hash" character(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_6960ee7301621f71f8cf29c2a6e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_tenant_api_keys_hash" ON "tenant_api_keys"  ("key_hash") `);
    await queryRunner.query(`CREATE INDEX "IDX_tenant_api_keys_tenant" ON "tenant_api_keys"  ("tenant_id", "created_at") `);
    await queryRunner.query(
      `ALTER TABLE "phone_numbers" ADD CONSTRAINT "FK_phone_numbers_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tenant_api_keys" ADD CONSTRAINT "FK_tenant_api_keys_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "tenant_api_keys" DROP CONSTRAINT "FK_tenant_api_keys_tenant"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP CONSTRAINT "FK_phone_numbers_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_tenant_api_keys_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_tenant_api_keys_hash"`);
    await queryRunner.query(`DROP TABLE "tenant_api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_phone_numbers_e164"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_phone_numbers_tenant"`);
    await queryRunner.query(`DROP TABLE "phone_numbers"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_tenants_slug"`);
    await queryRunner.query(`DROP TABLE "tenants"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_tenant_time"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_audit_logs_time"`);
    await queryRunner.query(`DROP TABLE "audit_logs"`);
  }
}
