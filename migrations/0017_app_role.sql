-- The server's own role (SPEC §4.4): migrations run as the owner of the tables; the running
-- server works as a member of portal_app, which may only insert into and read the audit log.
-- Not owning audit_log, it can neither disable its trigger nor update, delete or truncate it.
-- The role is created here when missing (the owner then needs CREATEROLE); an operator may create
-- it beforehand instead (README, "Database roles").
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'portal_app') THEN
    CREATE ROLE portal_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO portal_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO portal_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM portal_app;
--> statement-breakpoint
-- tables and sequences the owner creates in later migrations get the same rights
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO portal_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO portal_app;
