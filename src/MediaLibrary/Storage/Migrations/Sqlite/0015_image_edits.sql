-- Image edits at the origin (SPEC §17): rotate, pixelate, focal point, as JSON; NULL: none.
ALTER TABLE media_entries ADD COLUMN image_edits TEXT NULL;
