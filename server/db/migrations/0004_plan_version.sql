-- A counter per person that grows at every change of what `me` shows them: their
-- bookmarks, registrations (their own, or a promotion), follows, roles and account.
-- With the agenda version it keys the per-viewer response cache; triggers keep it
-- right whatever writes (the app, `salon user add`, psql).

ALTER TABLE person ADD COLUMN plan_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION bump_plan_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE person SET plan_version = plan_version + 1 WHERE id = OLD.person_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR NEW.person_id <> OLD.person_id) THEN
        UPDATE person SET plan_version = plan_version + 1 WHERE id = NEW.person_id;
    END IF;
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bookmark', 'registration', 'follow', 'person_role'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION bump_plan_version()',
                       t || '_bumps_plan_version', t);
    END LOOP;
END $$;

CREATE FUNCTION person_bumps_own_plan_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ROW(NEW.email, NEW.name, NEW.badge_code, NEW.speaker_id, NEW.exhibitor_id,
           NEW.calendar_token)
       IS DISTINCT FROM ROW(OLD.email, OLD.name, OLD.badge_code, OLD.speaker_id,
                            OLD.exhibitor_id, OLD.calendar_token) THEN
        NEW.plan_version := OLD.plan_version + 1;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER person_bumps_own_plan_version BEFORE UPDATE ON person
    FOR EACH ROW EXECUTE FUNCTION person_bumps_own_plan_version();
