-- A plain GET of the URL given to wrk, reported by result.lua.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
done = require("result").done
