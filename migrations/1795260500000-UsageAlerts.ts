import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Quota alerts already sent (tenant, month, quota, threshold): "once per threshold per month";
// and the outbound dispatcher's queue index (calls waiting to be placed, per Twilio account).

export class UsageAlerts1795260500000 implements MigrationInterface {
  name = 'UsageAlerts1795260500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "usage_alerts" ("tenant_id" uuid NOT NULL, "month" date NOT NULL, "quota" character varying(32) NOT NULL, "threshold" integer NOT NULL, "used" integer NOT NULL, "quota_limit" integer NOT NULL, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_usage_alerts" PRIMARY KEY ("tenant_id", "month", "quota", "threshold"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_calls_outbound_queue" ON "calls" ("twilio_account_sid", "created_at") WHERE "direction" = 'outbound' AND "status" = 'queued'`,
    );
    await queryRunner.query(
      `ALTER TABLE "usage_alerts" ADD CONSTRAINT "FK_usage_alerts_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "usage_alerts" DROP CONSTRAINT "FK_usage_alerts_tenant"`);
    await queryRunner.query(`DROP TABLE "usage_alerts"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_calls_outbound_queue"`);
  }
}
