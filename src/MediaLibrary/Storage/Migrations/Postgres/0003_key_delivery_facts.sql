-- What serve-image needs without reading storage: the key's type, size, hash and age.
ALTER TABLE media_entry_keys
    ADD COLUMN mime_type TEXT NULL,
    ADD COLUMN size BIGINT NULL,
    ADD COLUMN sha256 TEXT NULL,
    ADD COLUMN added_at TIMESTAMPTZ NULL;
