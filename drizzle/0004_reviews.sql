CREATE TABLE "access_revocations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"provider_name" text NOT NULL,
	"resource" text NOT NULL,
	"identity" text NOT NULL,
	"spec" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"last_error" text,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "drift_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"run_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"provider_name" text NOT NULL,
	"identity" text NOT NULL,
	"spec" jsonb NOT NULL,
	"holder_id" text,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"found_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text
);
--> statement-breakpoint
CREATE TABLE "drift_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"window_key" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"checked" integer DEFAULT 0 NOT NULL,
	"found" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "drift_runs_window_key_unique" UNIQUE("window_key")
);
--> statement-breakpoint
CREATE TABLE "review_campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"review_name" text NOT NULL,
	"window_key" text NOT NULL,
	"trigger" text NOT NULL,
	"started_by" text NOT NULL,
	"status" text NOT NULL,
	"resources" jsonb NOT NULL,
	"reviewer" text NOT NULL,
	"on_no_response" text NOT NULL,
	"report_channel" text,
	"created_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone,
	"due_at" timestamp with time zone NOT NULL,
	"remind_every_ms" bigint,
	"next_reminder_at" timestamp with time zone,
	"reminders_sent" integer DEFAULT 0 NOT NULL,
	"due_applied_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"item_count" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"lease_owner" text,
	"lease_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "review_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"campaign_id" uuid NOT NULL,
	"resource" text NOT NULL,
	"provider_name" text NOT NULL,
	"identity" text NOT NULL,
	"spec" jsonb NOT NULL,
	"holder_id" text,
	"provenance" text NOT NULL,
	"grant_id" uuid,
	"granted_at" timestamp with time zone,
	"granted_by" text,
	"grant_reason" text,
	"grant_ended_at" timestamp with time zone,
	"reviewer_id" text,
	"status" text NOT NULL,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"unanswered" boolean DEFAULT false NOT NULL,
	"escalated" boolean DEFAULT false NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "review_messages" (
	"subject" text NOT NULL,
	"audience" text NOT NULL,
	"channel" text NOT NULL,
	"ts" text NOT NULL,
	"page" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "review_messages_subject_audience_pk" PRIMARY KEY("subject","audience")
);
--> statement-breakpoint
ALTER TABLE "drift_findings" ADD CONSTRAINT "drift_findings_run_id_drift_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."drift_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "review_items" ADD CONSTRAINT "review_items_campaign_id_review_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."review_campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_revocations_source" ON "access_revocations" USING btree ("source","source_id");--> statement-breakpoint
CREATE INDEX "access_revocations_due" ON "access_revocations" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "access_revocations_target" ON "access_revocations" USING btree ("provider_name","identity");--> statement-breakpoint
CREATE UNIQUE INDEX "drift_findings_open" ON "drift_findings" USING btree ("resource","identity") WHERE status IN ('open', 'revoking');--> statement-breakpoint
CREATE INDEX "drift_findings_run" ON "drift_findings" USING btree ("run_id","resource");--> statement-breakpoint
CREATE UNIQUE INDEX "review_campaigns_window" ON "review_campaigns" USING btree ("review_name","window_key");--> statement-breakpoint
CREATE INDEX "review_campaigns_status" ON "review_campaigns" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "review_items_holder" ON "review_items" USING btree ("campaign_id","resource","identity");--> statement-breakpoint
CREATE INDEX "review_items_reviewer" ON "review_items" USING btree ("campaign_id","reviewer_id","id");--> statement-breakpoint
CREATE INDEX "review_items_status" ON "review_items" USING btree ("campaign_id","status");