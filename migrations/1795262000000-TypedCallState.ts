import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Typed call state (issue #14). What modules told each other through the untyped calls.metadata
// bag becomes columns the calls module writes through named methods: how the media bridge let go of
// the call (outcome, end reason, when), the transfer target, the hand-back count, and the outbound
// queue's dispatch/placement times and answering-machine result. Existing rows are moved and the
// keys taken out of metadata; what stays there is the typed CallMetadata shape (call-state.ts).
//
// Read models: views that a module publishes for other modules' queries, so that a query that must
// join another module's data in one statement reads only the columns its owner chose to share.
// Plain views: PostgreSQL inlines them into the query, at no cost.

const MOVED_KEYS = ['bridgeOutcome', 'bridgeEndReason', 'bridgeEndedAt', 'transferTo', 'handbacks', 'dispatchedAt', 'placedAt', 'answeredBy'];

export class TypedCallState1795262000000 implements MigrationInterface {
  name = 'TypedCallState1795262000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "calls" ADD "bridge_outcome" character varying(24)`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "bridge_end_reason" character varying(40)`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "bridge_ended_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "transfer_to" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "handback_count" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "dispatched_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "placed_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "calls" ADD "answered_by" character varying(32)`);
    // Values that do not fit (never written by us) are dropped rather than failing the deploy.
    await queryRunner.query(`
      UPDATE "calls" SET
        "bridge_outcome" = CASE WHEN metadata->>'bridgeOutcome' IN ('completed', 'transfer', 'upstream_failed', 'caller_hangup') THEN metadata->>'bridgeOutcome' END,
        "bridge_end_reason" = left(metadata->>'bridgeEndReason', 40),
        "bridge_ended_at" = CASE WHEN jsonb_typeof(metadata->'bridgeEndedAt') = 'string' THEN (metadata->>'bridgeEndedAt')::timestamptz END,
        "transfer_to" = left(metadata->>'transferTo', 64),
        "handback_count" = CASE WHEN jsonb_typeof(metadata->'handbacks') = 'number' THEN (metadata->>'handbacks')::int ELSE 0 END,
        "dispatched_at" = CASE WHEN jsonb_typeof(metadata->'dispatchedAt') = 'string' THEN (metadata->>'dispatchedAt')::timestamptz END,
        "placed_at" = CASE WHEN jsonb_typeof(metadata->'placedAt') = 'string' THEN (metadata->>'placedAt')::timestamptz END,
        "answered_by" = left(metadata->>'answeredBy', 32),
        "metadata" = metadata - '${MOVED_KEYS.join("' - '")}'
      WHERE metadata ?| ARRAY['${MOVED_KEYS.join("', '")}']`);
    // The outbound queue's claim and lost-call sweep now test the column.
    await queryRunner.query(
      `CREATE INDEX "IDX_calls_outbound_dispatched" ON "calls" ("twilio_account_sid", "dispatched_at") WHERE "direction" = 'outbound' AND "dispatched_at" IS NOT NULL`,
    );

    await queryRunner.query(`CREATE VIEW "tenant_profiles" AS SELECT id, name, slug, status, timezone, settings FROM "tenants"`);
    await queryRunner.query(`CREATE VIEW "lead_profiles" AS SELECT id, tenant_id, phone_e164, name, status, score, summary, interaction_count FROM "leads"`);
    await queryRunner.query(
      `CREATE VIEW "call_conversations" AS
       SELECT id, tenant_id, conversation_id, ended_at, (COALESCE(metadata->'aiConversations', '{}'::jsonb) ? conversation_id) AS transcript_applied
       FROM "calls" WHERE conversation_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "call_conversations"`);
    await queryRunner.query(`DROP VIEW "lead_profiles"`);
    await queryRunner.query(`DROP VIEW "tenant_profiles"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_calls_outbound_dispatched"`);
    await queryRunner.query(`
      UPDATE "calls" SET "metadata" = metadata || jsonb_strip_nulls(jsonb_build_object(
        'bridgeOutcome', bridge_outcome, 'bridgeEndReason', bridge_end_reason, 'bridgeEndedAt', bridge_ended_at, 'transferTo', transfer_to,
        'handbacks', NULLIF(handback_count, 0), 'dispatchedAt', dispatched_at, 'placedAt', placed_at, 'answeredBy', answered_by))`);
    for (const column of [
      'answered_by',
      'placed_at',
      'dispatched_at',
      'handback_count',
      'transfer_to',
      'bridge_ended_at',
      'bridge_end_reason',
      'bridge_outcome',
    ]) {
      await queryRunner.query(`ALTER TABLE "calls" DROP COLUMN "${column}"`);
    }
  }
}
