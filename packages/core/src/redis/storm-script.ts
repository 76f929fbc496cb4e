/*
 * The Lua script behind fleet storm control (storms.ts), run atomically by Redis: one call decides every pending claim
 * and contribution, so a storm costs a process one round trip per delivery round. Times are Redis's clock (TIME).
 *
 * Key (PREFIX = "logcord:v1:", a webhook id, never a token; it always has a time to live):
 *   PREFIX wh:<id>:storm:<fingerprint>   hash, one fleet window:
 *     count     records folded into it so far (other processes' first records, and repeats)
 *     n         processes that added to `count` in this period; s:<instance> marks each of them
 *     d         the alert as the first process saw it (JSON: title, template, error type, frame, …)
 *     first     when the period began (the alert, or the previous summary); last: the latest record
 *     end       when the fleet window ends: its first record's time + windowMs
 *     act       when a process last claimed or contributed
 *     r:<inst>  a process whose own window is open, and when that window ends
 *
 * STORM. KEYS: one fleet window per request. ARGV: instance, graceMs, slackMs, quietMs, then per key
 * five values:
 *   'c', windowMs, leftMs, sinceMs, description   a claim: this process's window opened with a record
 *   'x', windowMs, repeats, sinceMs, ''            a contribution: this process's window ended
 *   'f', windowMs, force, 0, ''                    a finish: asked again after a wait (below); force 1
 *                                                  (a shutdown deadline): no wait for quiet
 * Returns per key: claim 1 (send: the fleet window is new) or 0 (folded into it); contribution and finish 0 (folded:
 * another process sent it), 2 (no fleet window: send the local summary), { 3, count, instances, description,
 * msSinceFirst, msSinceLast } (send one summary for the fleet), { 4, waitMs } (ask again with a finish after waitMs),
 * or { 5, watchMs } (folded: a process whose window is open will report it; if it is gone, a finish after watchMs sends).
 *
 * The last process to leave sends the fleet's summary: when no other process's window is open (one past its end by
 * graceMs belongs to a process that is gone) and none has claimed or contributed for quietMs (processes starting and
 * ending a little apart are one storm). A storm past the fleet window's end gets one summary a window. Before the
 * window's end the key stays, its count reset, so a late process folds in instead of alerting again; after it, the key
 * is deleted, and a claim that finds it still there opens the next window and is sent: a new alert, as for one process.
 */
export const STORM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local inst, grace, slack, quiet = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local reg, seen = 'r:' .. inst, 's:' .. inst
local out = {}
local a = 5
for i, k in ipairs(KEYS) do
  local op, win, x, y, d = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3]), ARGV[a + 4]
  a = a + 5
  local function expire (e)
    local ttl = math.max(e - now, 0) + win + grace + slack
    if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
  end
  local function seenLast (ms)
    if tonumber(redis.call('HGET', k, 'last')) < now - ms then redis.call('HSET', k, 'last', now - ms) end
  end
  if op == 'c' then
    if redis.call('EXISTS', k) == 0 then
      local e = now + win
      redis.call('HSET', k, 'count', 0, 'n', 1, 'd', d, 'first', now - y, 'last', now - y, 'end', e, 'act', now, reg, now + x, seen, 1)
      expire(e)
      out[i] = 1
    elseif now >= tonumber(redis.call('HGET', k, 'end')) then
      -- The fleet window is over (its summary went out before its end, so the key stayed): this record opens
      -- the next and is sent, as by one process alone. Repeats owed from the last period stay for the next summary.
      local e = now + win
      if tonumber(redis.call('HGET', k, 'count')) == 0 then redis.call('HSET', k, 'first', now - y, 'last', now - y) end
      if redis.call('HSETNX', k, seen, 1) == 1 then redis.call('HINCRBY', k, 'n', 1) end
      redis.call('HSET', k, 'd', d, 'end', e, 'act', now, reg, now + x)
      expire(e)
      out[i] = 1
    else
      redis.call('HINCRBY', k, 'count', 1)
      if redis.call('HSETNX', k, seen, 1) == 1 then redis.call('HINCRBY', k, 'n', 1) end
      redis.call('HSET', k, reg, now + x, 'act', now)
      seenLast(y)
      expire(tonumber(redis.call('HGET', k, 'end')))
      out[i] = 0
    end
  elseif redis.call('EXISTS', k) == 0 then
    if op == 'x' then out[i] = 2 else out[i] = 0 end
  else
    local act = tonumber(redis.call('HGET', k, 'act'))
    if op == 'x' then
      redis.call('HDEL', k, reg)
      redis.call('HSET', k, 'act', now)
      if x > 0 then
        redis.call('HINCRBY', k, 'count', x)
        if redis.call('HSETNX', k, seen, 1) == 1 then redis.call('HINCRBY', k, 'n', 1) end
        seenLast(y)
      end
    end
    local live = false
    local liveEnd = 0
    local h = redis.call('HGETALL', k)
    for j = 1, #h, 2 do
      if string.sub(h[j], 1, 2) == 'r:' then
        local r = tonumber(h[j + 1])
        if r + grace > now then
          live = true
          if r > liveEnd then liveEnd = r end
        else
          redis.call('HDEL', k, h[j])
        end
      end
    end
    local e = tonumber(redis.call('HGET', k, 'end'))
    if live and (now < e or op == 'f') then
      out[i] = { 5, liveEnd + grace - now + 1 }
    elseif not live and now - act < quiet and not (op == 'f' and x == 1) then
      out[i] = { 4, quiet - (now - act) }
    else
      local v = redis.call('HMGET', k, 'count', 'n', 'd', 'first', 'last')
      out[i] = { 3, tonumber(v[1]), tonumber(v[2]), v[3], now - tonumber(v[4]), now - tonumber(v[5]) }
      if not live and now >= e then
        redis.call('DEL', k)
      else
        for j = 1, #h, 2 do
          if string.sub(h[j], 1, 2) == 's:' then redis.call('HDEL', k, h[j]) end
        end
        if now >= e then e = now + win end
        redis.call('HSET', k, 'count', 0, 'n', 0, 'first', now, 'last', now, 'end', e)
        expire(e)
      end
    end
  end
end
return out
`
