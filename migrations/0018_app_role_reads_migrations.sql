-- The readiness check (/readyz) compares the migrations applied with the project's: the server's
-- role may read which were applied, nothing more of the migrator's schema.
GRANT USAGE ON SCHEMA drizzle TO portal_app;
--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO portal_app;
