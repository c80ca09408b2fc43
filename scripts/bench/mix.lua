-- The 90/10 read/write mix for ./stack bench: out of every ten requests on a connection
-- thread, eight read the list of posts, one reads the new-post form (a read, which also
-- gives the write its CSRF cookie and token and its one-time submission token) and one
-- publishes a post with them (a write: POST /posts, answered 302).
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
done = require("result").done

local n = 0
local form -- {cookie, csrf, submission} from the last form page, until a write uses it
local run = tostring(math.random(1, 1e9))

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

request = function()
  n = n + 1
  local slot = n % 10
  if slot == 0 and form then
    local f = form
    form = nil
    local body = "_csrf=" .. urlencode(f.csrf) .. "&submission=" .. urlencode(f.submission)
      .. "&title=" .. urlencode("bench " .. run .. "-" .. n) .. "&author=bench"
      .. "&body=" .. urlencode("A post written by ./stack bench.")
    return wrk.format("POST", "/posts", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Cookie"] = f.cookie,
    }, body)
  elseif slot == 9 then
    return wrk.format("GET", "/posts/new")
  end
  return wrk.format("GET", "/")
end

response = function(status, headers, body)
  if status ~= 200 or not body:find('name="submission"', 1, true) then
    return
  end
  local cookie
  for name, value in pairs(headers) do
    -- HAProxy sends header names in lower case, the app in its own case.
    if name:lower() == "set-cookie" then
      cookie = value:match("(XSRF%-TOKEN=[^;]+)")
    end
  end
  local csrf = body:match('name="_csrf" value="([^"]+)"')
  local submission = body:match('name="submission" value="([^"]+)"')
  if cookie and csrf and submission then
    form = { cookie = cookie, csrf = csrf, submission = submission }
  end
end
