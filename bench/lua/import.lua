-- POST /import/mediaLibrary with 100 entries pointing at the seeded sample file.
local items = {}
for i = 1, 100 do
  items[i] = '{"mediaType":"image","asset":{"key":"seed/sample.jpg","url":"u","size":23,"width":1600,"height":900,"mimeType":"image/jpeg","filename":"sample.jpg"},"metadata":{"title":"Imported ' .. i .. '"}}'
end
wrk.method = "POST"
wrk.path = "/api/2026-03/import/mediaLibrary"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"mediaLibraryEntries":[' .. table.concat(items, ",") .. ']}'
