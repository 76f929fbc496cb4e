/*
 * Lua scripts run atomically by Redis: each reads and changes one webhook's limit state in one step, so any number
 * of processes on any hosts spend one budget. Times are Redis's clock (TIME): callers pass durations, never instants.
 *
 * Keys (PREFIX = "logcord:v1:"; a webhook id or channel id, never a token; every key expires):
 *   PREFIX wh:<id>            hash: limit, remaining, resetAt, windowMs (the bucket, contract §3), ch (channel id)
 *   PREFIX wh:<id>:req        sorted set: requests to the webhook, scored by time
 *   PREFIX wh:<id>:ch         sorted set: requests counted against the channel until its id is known
 *   PREFIX ch:<id>            sorted set: requests to the channel (every webhook in it, contract §3)
 *   <any of the above>:paused a string whose time to live is a pause after a 429
 */

const PREAMBLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wh = KEYS[1]
local function channelKey (prefix)
  local ch = redis.call('HGET', wh, 'ch')
  if ch and ch ~= '' then return prefix .. 'ch:' .. ch end
  return wh .. ':ch'
end
`

/**
 * RESERVE. ARGV: prefix, fallbackLimit, fallbackWindowMs, channelLimit, channelWindowMs, offsetMs, ttlMs,
 * member. Returns { waitMs, scope }: waitMs 0 means the request was counted (as `member`) and may leave.
 */
export const RESERVE = PREAMBLE + `
local prefix = ARGV[1]
local fbLimit, fbWin = tonumber(ARGV[2]), tonumber(ARGV[3])
local chLimit, chWin = tonumber(ARGV[4]), tonumber(ARGV[5])
local offset, ttl, member = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local wait, scope = 0, 'bucket'
local function consider (w, s) if w > wait then wait = w; scope = s end end
local function window (key, limit, win)
  local since = now - win
  local n = redis.call('ZCOUNT', key, '(' .. since, '+inf')
  if n < limit then return 0 end
  local r = redis.call('ZRANGEBYSCORE', key, '(' .. since, '+inf', 'WITHSCORES', 'LIMIT', n - limit, 1)
  return tonumber(r[2]) + win - now
end
local req = wh .. ':req'
redis.call('ZREMRANGEBYSCORE', req, '-inf', now - ttl)
consider(redis.call('PTTL', wh .. ':paused'), 'bucket')
local h = redis.call('HMGET', wh, 'limit', 'remaining', 'resetAt', 'windowMs')
if h[1] then
  local resetAt = tonumber(h[3])
  if now < resetAt and tonumber(h[2]) <= 0 then consider(resetAt - now, 'bucket') end
else
  local fw = window(req, fbLimit, fbWin)
  if fw > 0 then consider(fw + offset, 'bucket') end
end
local ch = channelKey(prefix)
redis.call('ZREMRANGEBYSCORE', ch, '-inf', now - chWin)
consider(redis.call('PTTL', ch .. ':paused'), 'channel')
local cw = window(ch, chLimit, chWin)
if cw > 0 then consider(cw + offset, 'channel') end
if wait > 0 then return { wait, scope } end
redis.call('ZADD', req, now, member)
redis.call('PEXPIRE', req, ttl)
redis.call('ZADD', ch, now, member)
redis.call('PEXPIRE', ch, ttl)
if h[1] then
  local limit, remaining, resetAt = tonumber(h[1]), tonumber(h[2]), tonumber(h[3])
  if now >= resetAt then
    remaining = limit
    resetAt = now + tonumber(h[4]) + offset
  end
  redis.call('HSET', wh, 'remaining', math.max(0, remaining - 1), 'resetAt', resetAt)
end
if redis.call('EXISTS', wh) == 1 then redis.call('PEXPIRE', wh, ttl) end
return { 0, 'bucket' }
`

/**
 * RESTAMP. ARGV: prefix, member. The reserved request leaves only now: the channel's window counts it from now; the
 * webhook's log keeps the reservation time, so UPDATE counts requests reserved after it as unseen by Discord (cautious).
 */
export const RESTAMP = PREAMBLE + `
redis.call('ZADD', channelKey(ARGV[1]), 'XX', now, ARGV[2])
return 0
`

/**
 * UPDATE. ARGV: limit, remaining, resetAfterMs, offsetMs, ttlMs, member, fallbackWindowMs, prefix. A response to
 * `member` arrived: requests counted after it are still on their way, so they come off its Remaining (which only goes
 * down within a window). The channel's window counts the request from its answer: Discord saw it no later than that.
 */
export const UPDATE = PREAMBLE + `
local limit, remaining, resetAfter = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local offset, ttl, member, fbWin = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
redis.call('ZADD', channelKey(ARGV[8]), 'XX', now, member)
local resetAt = now + resetAfter + offset
local req = wh .. ':req'
local later = 0
local s = redis.call('ZSCORE', req, member)
if s then later = redis.call('ZCOUNT', req, '(' .. s, '+inf') end
local fresh = math.max(0, remaining - later)
local h = redis.call('HMGET', wh, 'limit', 'remaining', 'resetAt', 'windowMs')
local rem, ra, win = fresh, resetAt, resetAfter
if h[1] then
  local oldReset = tonumber(h[3])
  if math.abs(oldReset - resetAt) < fbWin / 2 and now < oldReset then
    rem = math.min(tonumber(h[2]), fresh)
    ra = math.max(oldReset, resetAt)
  end
  win = math.max(win, tonumber(h[4]))
end
redis.call('HSET', wh, 'limit', limit, 'remaining', rem, 'resetAt', ra, 'windowMs', win)
redis.call('PEXPIRE', wh, ttl)
return 0
`

/** PAUSE. ARGV: prefix, scope ('bucket' | 'channel'), waitMs. A 429 pauses every sender. */
export const PAUSE = PREAMBLE + `
local waitMs = tonumber(ARGV[3])
local key = wh .. ':paused'
if ARGV[2] == 'channel' then key = channelKey(ARGV[1]) .. ':paused' end
if redis.call('PTTL', key) < waitMs then redis.call('SET', key, '1', 'PX', waitMs) end
if ARGV[2] == 'bucket' and redis.call('HEXISTS', wh, 'remaining') == 1 then redis.call('HSET', wh, 'remaining', 0) end
return 0
`

/** MERGE. ARGV: prefix, channelId, ttlMs. The webhook's channel is known: its requests count there. */
export const MERGE = PREAMBLE + `
local prefix, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', wh, 'ch') == id then return 0 end
local from = wh .. ':ch'
local to = prefix .. 'ch:' .. id
if redis.call('EXISTS', from) == 1 then
  redis.call('ZUNIONSTORE', to, 2, to, from, 'AGGREGATE', 'MAX')
  redis.call('DEL', from)
  redis.call('PEXPIRE', to, ttl)
end
local p = redis.call('PTTL', from .. ':paused')
if p > 0 and redis.call('PTTL', to .. ':paused') < p then redis.call('SET', to .. ':paused', '1', 'PX', p) end
redis.call('HSET', wh, 'ch', id)
redis.call('PEXPIRE', wh, ttl)
return 0
`
