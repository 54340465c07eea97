import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Phone-number provisioning: numbers can sit unassigned in the platform pool (tenant_id NULL),
// carry their Twilio account, a per-number agent override, a drift status and the snapshot of
// what we last configured on Twilio; one row per Twilio number SID (generated, reviewed).

export class PhoneProvisioning1795259473882 implements MigrationInterface {
  name = 'PhoneProvisioning1795259473882';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "twilio_account_sid" character varying(34)`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "agent_id" character varying(100)`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "status" character varying(16) NOT NULL DEFAULT 'active'`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "webhook_config" jsonb`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "webhooks_configured_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD "drift" jsonb`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ALTER COLUMN "tenant_id" DROP NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_phone_numbers_twilio_sid" ON "phone_numbers" ("twilio_sid") WHERE "twilio_sid" IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ADD CONSTRAINT "CHK_phone_numbers_status" CHECK ("status" IN ('active', 'drifted'))`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP CONSTRAINT "CHK_phone_numbers_status"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_phone_numbers_twilio_sid"`);
    // Pool numbers cannot exist in the previous schema (tenant_id was required).
    await queryRunner.query(`DELETE FROM "phone_numbers" WHERE "tenant_id" IS NULL`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" ALTER COLUMN "tenant_id" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "drift"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "webhooks_configured_at"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "webhook_config"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "status"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "agent_id"`);
    await queryRunner.query(`ALTER TABLE "phone_numbers" DROP COLUMN "twilio_account_sid"`);
  }
}
