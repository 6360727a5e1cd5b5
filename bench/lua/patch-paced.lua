-- patch.lua at a steady pace: each connection waits 10 ms between requests, so 8 connections
-- offer at most ~800 PATCHes/s, a load the machine sustains with a webhook (bench/webhooks.sh).
dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "patch.lua")
delay = function() return 10 end
