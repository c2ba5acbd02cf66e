-- The key lifecycle (issue 9, docs/protocol.md): key version, recovery key, rotation in progress,
-- password history and the password's age. The accounts policies of 0002 cover the new columns.
ALTER TABLE "accounts" ADD COLUMN "key_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "recovery_auth_hash" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "recovery_wrapped_vault_key" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "recovery_created_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "rotation_key_version" integer;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "rotation_wrapped_vault_key" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "rotation_wrapped_by_previous" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "password_history" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "password_changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_recovery_complete" CHECK (("accounts"."recovery_auth_hash" is null) = ("accounts"."recovery_wrapped_vault_key" is null)
        and ("accounts"."recovery_auth_hash" is null) = ("accounts"."recovery_created_at" is null));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_rotation_complete" CHECK (("accounts"."rotation_key_version" is null) = ("accounts"."rotation_wrapped_vault_key" is null)
        and ("accounts"."rotation_key_version" is null) = ("accounts"."rotation_wrapped_by_previous" is null));--> statement-breakpoint
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_rotation_next" CHECK ("accounts"."rotation_key_version" is null or "accounts"."rotation_key_version" = "accounts"."key_version" + 1);--> statement-breakpoint
-- Accounts that existed before: their password is as old as the account.
UPDATE "accounts" SET "password_changed_at" = "created_at";
