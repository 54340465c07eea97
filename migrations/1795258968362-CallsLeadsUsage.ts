import { type MigrationInterface, type QueryRunner } from 'typeorm';

// Calls and their status history, leads and their cross-channel timeline, daily usage, and the
// tenant's own provider credentials (generated from the entities, reviewed).

export class CallsLeadsUsage1795258968362 implements MigrationInterface {
  name = 'CallsLeadsUsage1795258968362';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "calls" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "lead_id" uuid, "phone_number_id" uuid, "twilio_call_sid" character varying(34), "twilio_account_sid" character varying(34), "direction" character varying(8) NOT NULL, "from_number" character varying(64) NOT NULL, "to_number" character varying(64) NOT NULL, "status" character varying(16) NOT NULL, "disposition" character varying(32), "routing_mode" character varying(16), "answered_at" TIMESTAMP WITH TIME ZONE, "ended_at" TIMESTAMP WITH TIME ZONE, "duration_secs" integer, "sip_response_code" integer, "stream_sid" character varying(34), "stream_status" character varying(16), "media_connected_at" TIMESTAMP WITH TIME ZONE, "recording" jsonb, "agent_id" character varying(100), "conversation_id" character varying(100), "ai_duration_secs" integer, "ai_cost" numeric(12,4), "summary" text, "analysis" jsonb, "failure_reason" character varying(200), "metadata" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_d9171d91f8dd1a649659f1b6a20" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_calls_conversation_id" ON "calls"  ("conversation_id") WHERE "conversation_id" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_calls_twilio_call_sid" ON "calls"  ("twilio_call_sid") WHERE "twilio_call_sid" IS NOT NULL`);
    await queryRunner.query(`CREATE INDEX "IDX_calls_tenant_lead" ON "calls"  ("tenant_id", "lead_id", "created_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_tenant_status" ON "calls"  ("tenant_id", "status") `);
    await queryRunner.query(`CREATE INDEX "IDX_calls_tenant_created" ON "calls"  ("tenant_id", "created_at") `);
    await queryRunner.query(
      `CREATE TABLE "call_status_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "call_id" uuid NOT NULL, "twilio_call_sid" character varying(34) NOT NULL, "status" character varying(16) NOT NULL, "sequence_number" integer, "details" jsonb NOT NULL DEFAULT '{}', "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_73f6352ae91d7ecab18d4027cb9" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_call_status_events_tenant_call" ON "call_status_events"  ("tenant_id", "call_id", "received_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_call_status_events_sid_status" ON "call_status_events"  ("twilio_call_sid", "status") `);
    await queryRunner.query(
      `CREATE TABLE "leads" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "phone_e164" character varying(16) NOT NULL, "name" character varying(200), "email" character varying(254), "status" character varying(16) NOT NULL DEFAULT 'new', "score" smallint NOT NULL DEFAULT '0', "score_reasons" jsonb NOT NULL DEFAULT '[]', "sentiment" character varying(16), "interests" jsonb NOT NULL DEFAULT '[]', "keywords" jsonb NOT NULL DEFAULT '[]', "summary" text, "action_items" jsonb NOT NULL DEFAULT '[]', "notes" text, "interaction_count" integer NOT NULL DEFAULT '0', "last_contact_at" TIMESTAMP WITH TIME ZONE, "human_control" boolean NOT NULL DEFAULT false, "human_operator" character varying(100), "opted_out_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_leads_score" CHECK ("score" BETWEEN 0 AND 100), CONSTRAINT "CHK_leads_status" CHECK ("status" IN ('new', 'contacted', 'qualified', 'unqualified', 'customer')), CONSTRAINT "PK_cd102ed7a9a4ca7d4d8bfeba406" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_leads_tenant_last_contact" ON "leads"  ("tenant_id", "last_contact_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_leads_tenant_score" ON "leads"  ("tenant_id", "score") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_leads_tenant_phone" ON "leads"  ("tenant_id", "phone_e164") `);
    await queryRunner.query(
      `CREATE TABLE "lead_messages" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "lead_id" uuid NOT NULL, "call_id" uuid, "channel" character varying(12) NOT NULL, "direction" character varying(8) NOT NULL, "role" character varying(8) NOT NULL, "body" text NOT NULL, "offset_secs" real, "external_id" character varying(120), "status" character varying(20), "error_code" integer, "segments" smallint, "metadata" jsonb NOT NULL DEFAULT '{}', "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a677e52e46c9b2b8643cb132749" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_lead_messages_tenant_external" ON "lead_messages"  ("tenant_id", "external_id") WHERE "external_id" IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_lead_messages_tenant_call" ON "lead_messages"  ("tenant_id", "call_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_lead_messages_tenant_lead_time" ON "lead_messages"  ("tenant_id", "lead_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE TABLE "usage_daily" ("tenant_id" uuid NOT NULL, "day" date NOT NULL, "inbound_calls" integer NOT NULL DEFAULT '0', "outbound_calls" integer NOT NULL DEFAULT '0', "inbound_seconds" integer NOT NULL DEFAULT '0', "outbound_seconds" integer NOT NULL DEFAULT '0', "sms_in_segments" integer NOT NULL DEFAULT '0', "sms_out_segments" integer NOT NULL DEFAULT '0', "whatsapp_in" integer NOT NULL DEFAULT '0', "whatsapp_out" integer NOT NULL DEFAULT '0', "ai_seconds" integer NOT NULL DEFAULT '0', "ai_cost" numeric(12,4) NOT NULL DEFAULT '0', CONSTRAINT "PK_e6b25c21c3497e25f534ecf58ab" PRIMARY KEY ("tenant_id", "day"))`,
    );
    await queryRunner.query(`ALTER TABLE "tenants" ADD "twilio_account_sid" character varying(34)`);
    await queryRunner.query(`ALTER TABLE "tenants" ADD "twilio_auth_token_enc" text`);
    await queryRunner.query(`ALTER TABLE "tenants" ADD "elevenlabs_api_key_enc" text`);
    await queryRunner.query(`ALTER TABLE "tenants" ADD "tool_secret_hash" character(64)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_tenants_tool_secret_hash" ON "tenants"  ("tool_secret_hash") WHERE "tool_secret_hash" IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_tenants_twilio_account_sid" ON "tenants"  ("twilio_account_sid") WHERE "twilio_account_sid" IS NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "calls" ADD CONSTRAINT "FK_calls_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "call_status_events" ADD CONSTRAINT "FK_call_status_events_call" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "leads" ADD CONSTRAINT "FK_leads_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "lead_messages" ADD CONSTRAINT "FK_lead_messages_lead" FOREIGN KEY ("lead_id") REFERENCES "leads"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "lead_messages" DROP CONSTRAINT "FK_lead_messages_lead"`);
    await queryRunner.query(`ALTER TABLE "leads" DROP CONSTRAINT "FK_leads_tenant"`);
    await queryRunner.query(`ALTER TABLE "call_status_events" DROP CONSTRAINT "FK_call_status_events_call"`);
    await queryRunner.query(`ALTER TABLE "calls" DROP CONSTRAINT "FK_calls_tenant"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_tenants_twilio_account_sid"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_tenants_tool_secret_hash"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "tool_secret_hash"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "elevenlabs_api_key_enc"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "twilio_auth_token_enc"`);
    await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "twilio_account_sid"`);
    await queryRunner.query(`DROP TABLE "usage_daily"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_lead_messages_tenant_lead_time"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_lead_messages_tenant_call"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_lead_messages_tenant_external"`);
    await queryRunner.query(`DROP TABLE "lead_messages"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_leads_tenant_phone"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_tenant_score"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_leads_tenant_last_contact"`);
    await queryRunner.query(`DROP TABLE "leads"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_call_status_events_sid_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_status_events_tenant_call"`);
    await queryRunner.query(`DROP TABLE "call_status_events"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_calls_tenant_created"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_calls_tenant_status"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_calls_tenant_lead"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_calls_twilio_call_sid"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_calls_conversation_id"`);
    await queryRunner.query(`DROP TABLE "calls"`);
  }
}
