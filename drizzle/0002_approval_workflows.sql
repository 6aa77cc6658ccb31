ALTER TABLE "requests" ADD COLUMN "kind" text DEFAULT 'access' NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "grant_id" uuid;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "reminded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "escalated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "confirm_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "confirmed_by" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "confirmed_at" timestamp with time zone;