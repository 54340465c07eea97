import { type MigrationInterface, type QueryRunner } from 'typeorm';

// The realtime event log: every published event, replayed to SSE clients that reconnect with
// Last-Event-ID and pruned by age (generated from the entity, reviewed).

export class RealtimeEvents1795259562638 implements MigrationInterface {
  name = 'RealtimeEvents1795259562638';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "realtime_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "tenant_id" uuid NOT NULL, "type" character varying(40) NOT NULL, "lead_id" uuid, "call_id" uuid, "data" jsonb NOT NULL DEFAULT '{}', "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_realtime_events" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_realtime_events_tenant_lead_id" ON "realtime_events"  ("tenant_id", "lead_id", "id") `);
    await queryRunner.query(`CREATE INDEX "IDX_realtime_events_tenant_id" ON "realtime_events"  ("tenant_id", "id") `);
    await queryRunner.query(
      `ALTER TABLE "realtime_events" ADD CONSTRAINT "FK_realtime_events_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "realtime_events" DROP CONSTRAINT "FK_realtime_events_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_realtime_events_tenant_id"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_realtime_events_tenant_lead_id"`);
    await queryRunner.query(`DROP TABLE "realtime_events"`);
  }
}
