-- What serve-image needs without reading storage: the key's type, size, hash and age.
ALTER TABLE media_entry_keys ADD COLUMN mime_type TEXT NULL;
ALTER TABLE media_entry_keys ADD COLUMN size INTEGER NULL;
ALTER TABLE media_entry_keys ADD COLUMN sha256 TEXT NULL;
ALTER TABLE media_entry_keys ADD COLUMN added_at TEXT NULL;
