CREATE TABLE "seen_slack_requests" (
	"signature" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_rate_blocks" (
	"bucket" text PRIMARY KEY NOT NULL,
	"until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_rate_windows" (
	"bucket" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "slack_rate_windows_bucket_window_start_pk" PRIMARY KEY("bucket","window_start")
);
--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "revoking_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "grants" ADD COLUMN "alerted_at" timestamp with time zone;