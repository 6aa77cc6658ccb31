CREATE TABLE "audit_stream_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"last_id" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_group_members" (
	"group_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "directory_group_members_group_id_user_id_pk" PRIMARY KEY("group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "directory_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"display_name" text NOT NULL,
	"external_id" text,
	"resource" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "directory_users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_name" text NOT NULL,
	"external_id" text,
	"email" text,
	"display_name" text,
	"department" text,
	"manager" text,
	"active" boolean DEFAULT true NOT NULL,
	"slack_user_id" text,
	"resource" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "principal_freezes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"slack_user_id" text NOT NULL,
	"cause" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"until" timestamp with time zone,
	"lifted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "signal_receipts" (
	"signal_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_group_id_directory_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."directory_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "directory_group_members" ADD CONSTRAINT "directory_group_members_user_id_directory_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."directory_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "directory_group_members_user" ON "directory_group_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_groups_display_name" ON "directory_groups" USING btree (lower("display_name"));--> statement-breakpoint
CREATE INDEX "directory_groups_external_id" ON "directory_groups" USING btree ("external_id");--> statement-breakpoint
CREATE UNIQUE INDEX "directory_users_user_name" ON "directory_users" USING btree (lower("user_name"));--> statement-breakpoint
CREATE INDEX "directory_users_external_id" ON "directory_users" USING btree ("external_id");--> statement-breakpoint
CREATE INDEX "directory_users_email" ON "directory_users" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "directory_users_slack" ON "directory_users" USING btree ("slack_user_id");--> statement-breakpoint
CREATE INDEX "principal_freezes_user" ON "principal_freezes" USING btree ("slack_user_id");