-- Wrong guesses are counted on the code itself, in the statement that compares it
-- (see accounts.guess_sign_in_code): five guesses and the code is dead; the address
-- is never locked. Only the newest code of an address can be used, so a new code
-- supersedes the older ones.

ALTER TABLE sign_in_code ADD COLUMN attempts integer NOT NULL DEFAULT 0
    CHECK (attempts >= 0);

CREATE INDEX sign_in_code_newest_idx ON sign_in_code (email, id DESC);
