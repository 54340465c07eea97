import { type MigrationInterface, type QueryRunner } from 'typeorm';

// ElevenLabs webhooks (inbox, call events, initiation log for the per-caller rate limit) and
// scheduling for the agent's server tools (services, staff, appointments; appointment_slots is the
// double-booking guard). Generated from the entities, reviewed.

export class ElevenLabsLeadsScheduling1795260019796 implements MigrationInterface {
  name = 'ElevenLabsLeadsScheduling1795260019796';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "call_events" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "call_id" uuid NOT NULL, "conversation_id" character varying(100), "type" character varying(48) NOT NULL, "dedup_key" character(64) NOT NULL, "data" jsonb NOT NULL DEFAULT '{}', "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ae7349495543762c8be7de28b7f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_call_events_tenant_dedup" ON "call_events"  ("tenant_id", "dedup_key") `);
    await queryRunner.query(`CREATE INDEX "IDX_call_events_tenant_call_time" ON "call_events"  ("tenant_id", "call_id", "occurred_at") `);
    await queryRunner.query(
      `CREATE TABLE "webhook_inbox" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "provider" character varying(16) NOT NULL, "event_type" character varying(48) NOT NULL, "external_id" character varying(200) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "source" character varying(16) NOT NULL DEFAULT 'webhook', "payload" jsonb NOT NULL, "tenant_id" uuid, "call_id" uuid, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_webhook_inbox_status" CHECK ("status" IN ('pending', 'processing', 'done', 'failed', 'unmatched')), CONSTRAINT "PK_4b63b831d1a843667b74f0a5fc3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_webhook_inbox_received" ON "webhook_inbox"  ("received_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_inbox_due" ON "webhook_inbox"  ("status", "next_attempt_at") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_webhook_inbox_event" ON "webhook_inbox"  ("provider", "event_type", "external_id") `);
    await queryRunner.query(
      `CREATE TABLE "conversation_initiations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "caller" character varying(64) NOT NULL, "call_sid" character varying(64), "outcome" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_aa3d38b59ae231f867a57b66a03" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_conversation_initiations_tenant_caller_time" ON "conversation_initiations"  ("tenant_id", "caller", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "services" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "description" character varying(500), "duration_minutes" integer NOT NULL, "price_cents" integer, "currency" character varying(3), "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_services_price" CHECK ("price_cents" IS NULL OR "price_cents" >= 0), CONSTRAINT "CHK_services_duration" CHECK ("duration_minutes" > 0 AND "duration_minutes" <= 1440 AND "duration_minutes" % 5 = 0), CONSTRAINT "PK_ba2d347a3168a296416c6c5ccb2" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_services_tenant_name" ON "services"  ("tenant_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "employees" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "working_hours" jsonb NOT NULL DEFAULT '{}', "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_b9535a98350d5b26e7eb0c26af4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_employees_tenant_name" ON "employees"  ("tenant_id", "name") `);
    await queryRunner.query(
      `CREATE TABLE "appointments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "tenant_id" uuid NOT NULL, "employee_id" uuid NOT NULL, "service_id" uuid NOT NULL, "lead_id" uuid, "call_id" uuid, "customer_name" character varying(200) NOT NULL, "customer_email" character varying(254), "customer_phone" character varying(16) NOT NULL, "start_at" TIMESTAMP WITH TIME ZONE NOT NULL, "end_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'booked', "notes" character varying(1000), "source" character varying(12) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_appointments_range" CHECK ("end_at" > "start_at"), CONSTRAINT "CHK_appointments_status" CHECK ("status" IN ('booked', 'cancelled')), CONSTRAINT "PK_4a437a9a27e948726b8bb3e36ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_appointments_tenant_lead" ON "appointments"  ("tenant_id", "lead_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_appointments_tenant_phone_start" ON "appointments"  ("tenant_id", "customer_phone", "start_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_appointments_tenant_employee_start" ON "appointments"  ("tenant_id", "employee_id", "start_at") `);
    await queryRunner.query(
      `CREATE TABLE "appointment_slots" ("tenant_id" uuid NOT NULL, "employee_id" uuid NOT NULL, "slot_start" TIMESTAMP WITH TIME ZONE NOT NULL, "appointment_id" uuid NOT NULL, CONSTRAINT "PK_64dd895961060922d02e2804af8" PRIMARY KEY ("tenant_id", "employee_id", "slot_start"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_appointment_slots_tenant_appointment" ON "appointment_slots"  ("tenant_id", "appointment_id") `);
    await queryRunner.query(
      `CREATE TABLE "employee_services" ("employee_id" uuid NOT NULL, "service_id" uuid NOT NULL, "tenant_id" uuid NOT NULL, CONSTRAINT "PK_673fd236e781ddb746dd590616a" PRIMARY KEY ("employee_id", "service_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_employee_services_tenant_service" ON "employee_services"  ("tenant_id", "service_id") `);
    await queryRunner.query(
      `ALTER TABLE "call_events" ADD CONSTRAINT "FK_call_events_call" FOREIGN KEY ("call_id") REFERENCES "calls"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversation_initiations" ADD CONSTRAINT "FK_conversation_initiations_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "services" ADD CONSTRAINT "FK_services_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employees" ADD CONSTRAINT "FK_employees_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "appointments" ADD CONSTRAINT "FK_appointments_employee" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "appointments" ADD CONSTRAINT "FK_appointments_service" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "appointment_slots" ADD CONSTRAINT "FK_appointment_slots_appointment" FOREIGN KEY ("appointment_id") REFERENCES "appointments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee_services" ADD CONSTRAINT "FK_employee_services_employee" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "employee_services" ADD CONSTRAINT "FK_employee_services_service" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "employee_services" DROP CONSTRAINT "FK_employee_services_service"`);
    await queryRunner.query(`ALTER TABLE "employee_services" DROP CONSTRAINT "FK_employee_services_employee"`);
    await queryRunner.query(`ALTER TABLE "appointment_slots" DROP CONSTRAINT "FK_appointment_slots_appointment"`);
    await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "FK_appointments_service"`);
    await queryRunner.query(`ALTER TABLE "appointments" DROP CONSTRAINT "FK_appointments_employee"`);
    await queryRunner.query(`ALTER TABLE "employees" DROP CONSTRAINT "FK_employees_tenant"`);
    await queryRunner.query(`ALTER TABLE "services" DROP CONSTRAINT "FK_services_tenant"`);
    await queryRunner.query(`ALTER TABLE "conversation_initiations" DROP CONSTRAINT "FK_conversation_initiations_tenant"`);
    await queryRunner.query(`ALTER TABLE "call_events" DROP CONSTRAINT "FK_call_events_call"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_employee_services_tenant_service"`);
    await queryRunner.query(`DROP TABLE "employee_services"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_appointment_slots_tenant_appointment"`);
    await queryRunner.query(`DROP TABLE "appointment_slots"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_appointments_tenant_employee_start"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_appointments_tenant_phone_start"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_appointments_tenant_lead"`);
    await queryRunner.query(`DROP TABLE "appointments"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_employees_tenant_name"`);
    await queryRunner.query(`DROP TABLE "employees"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_services_tenant_name"`);
    await queryRunner.query(`DROP TABLE "services"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_conversation_initiations_tenant_caller_time"`);
    await queryRunner.query(`DROP TABLE "conversation_initiations"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_webhook_inbox_event"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_inbox_due"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_webhook_inbox_received"`);
    await queryRunner.query(`DROP TABLE "webhook_inbox"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_call_events_tenant_call_time"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_call_events_tenant_dedup"`);
    await queryRunner.query(`DROP TABLE "call_events"`);
  }
}
