import { type MigrationInterface, type QueryRunner } from 'typeorm';

// SMS resends after a transient carrier error are scheduled in the row itself (`resend_at`), not in
// an instance's memory: they survive restarts and deploys, and any instance sends them.

export class SmsResendQueue1795261000000 implements MigrationInterface {
  name = 'SmsResendQueue1795261000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lead_messages" ADD "resend_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE INDEX "IDX_lead_messages_resend_due" ON "lead_messages" ("resend_at") WHERE "resend_at" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_lead_messages_resend_due"`);
    await queryRunner.query(`ALTER TABLE "lead_messages" DROP COLUMN "resend_at"`);
  }
}
