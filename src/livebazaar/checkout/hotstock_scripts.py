"""The Redis HotStock's Lua scripts (hotstock_redis.py says how they fit together).

Per drop, three keys share a hash tag: `<p>:{<drop>}:state` (a hash: available, limit,
ends_ms, ended, inflight), `<p>:{<drop>}:buyers` (units each buyer holds) and
`<p>:{<drop>}:idem` (`<buyer> <key>` -> `<fingerprint>\\t<answer JSON>`), plus
`<p>:{<drop>}:returned` (order ids whose units came back). Admitted claims go to one stream
for all drops, `<p>:log`, read through the consumer group `writers`. Numbers travel as
decimal strings.
"""

# KEYS: state, buyers, idem, log. ARGV: consumer, now_ms, drop_id, then per claim six values:
# buyer, quantity, idem field ('' without a key), fingerprint, record (what the stream keeps),
# answer (what a replay of the key returns). Answers {'missing'} when the drop is not loaded,
# else {entry id or '', available after, one verdict per claim}: 'ok', 'sold_out', 'ended',
# 'reused', 'limit\t<units the buyer may still take>', or 'replay\t<answer>'. The admitted
# claims form one stream entry, delivered at once to this node's consumer (XREADGROUP in the
# same script), so it is in this node's pending list before anyone can see it: if the node
# dies, another one claims it.
CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local s = redis.call('HMGET', KEYS[1], 'available', 'limit', 'ends_ms', 'ended')
local available, limit = tonumber(s[1]), tonumber(s[2])
local closed = s[4] == '1' or tonumber(ARGV[2]) >= tonumber(s[3])
local verdicts, records, taken = {}, {}, 0
for i = 4, #ARGV, 6 do
  local buyer, qty, idem, fp = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
  local prior = false
  if idem ~= '' then prior = redis.call('HGET', KEYS[3], idem) end
  local verdict
  if prior then
    local tab = string.find(prior, '\\t', 1, true)
    if string.sub(prior, 1, tab - 1) == fp then
      verdict = 'replay\\t' .. string.sub(prior, tab + 1)
    else
      verdict = 'reused'
    end
  elseif closed then
    verdict = 'ended'
  else
    local held = tonumber(redis.call('HGET', KEYS[2], buyer) or '0')
    if held + qty > limit then
      verdict = 'limit\t' .. tostring(math.max(0, limit - held))
    elseif qty > available then
      verdict = 'sold_out'
    else
      available = available - qty
      taken = taken + qty
      redis.call('HINCRBY', KEYS[2], buyer, qty)
      if idem ~= '' then redis.call('HSET', KEYS[3], idem, fp .. '\\t' .. ARGV[i + 5]) end
      records[#records + 1] = ARGV[i + 4]
      verdict = 'ok'
    end
  end
  verdicts[#verdicts + 1] = verdict
end
local entry = ''
if taken > 0 then
  redis.call('HSET', KEYS[1], 'available', available)
  redis.call('HINCRBY', KEYS[1], 'inflight', taken)
  redis.pcall('XGROUP', 'CREATE', KEYS[4], 'writers', '$', 'MKSTREAM')
  entry = redis.call('XADD', KEYS[4], '*', 'drop', ARGV[3], 'units', taken,
                     'claims', table.concat(records, '\\n'))
  redis.call('XREADGROUP', 'GROUP', 'writers', ARGV[1], 'COUNT', 100, 'STREAMS', KEYS[4], '>')
end
return {entry, tostring(available), unpack(verdicts)}
"""

# KEYS: state, buyers, idem, returned. ARGV: available, limit, ends_ms, ended, ttl_ms (from now),
# number of buyers, then buyer/units pairs, then idem field/value pairs. Loads a drop's counts
# (read from the database) unless another node loaded them first. Answers 1 if it loaded.
LOAD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'available', ARGV[1], 'limit', ARGV[2], 'ends_ms', ARGV[3],
           'ended', ARGV[4], 'inflight', 0)
local function hset_from(key, first, last)
  local chunk = {}
  for i = first, last do
    chunk[#chunk + 1] = ARGV[i]
    if #chunk == 1000 then
      redis.call('HSET', key, unpack(chunk))
      chunk = {}
    end
  end
  if #chunk > 0 then redis.call('HSET', key, unpack(chunk)) end
end
local buyers_end = 6 + 2 * tonumber(ARGV[6])
hset_from(KEYS[2], 7, buyers_end)
hset_from(KEYS[3], buyers_end + 1, #ARGV)
for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[5]) end
return 1
"""

# KEYS: log, then the state key of each entry's drop. ARGV: entry id and units, per entry.
# The entries are recorded in the database: acknowledge and delete them, and take their
# units off the drop's in-flight count (only if this acknowledgement was the first: an entry
# recorded twice, or one from before Redis lost its memory, changes nothing).
ACK = """
for i = 1, #ARGV, 2 do
  local state = KEYS[(i + 1) / 2 + 1]
  if redis.call('XACK', KEYS[1], 'writers', ARGV[i]) == 1
      and redis.call('EXISTS', state) == 1 then
    redis.call('HINCRBY', state, 'inflight', -tonumber(ARGV[i + 1]))
  end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
return 1
"""

# KEYS: state, buyers, idem, returned. ARGV: per hold four values: order id, buyer, quantity,
# idem field ('' to keep the key's answer). Units of holds the database closed or refused come
# back, once per order id. Answers the units given back.
RETURN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local back = 0
for i = 1, #ARGV, 4 do
  if redis.call('SADD', KEYS[4], ARGV[i]) == 1 then
    local qty = tonumber(ARGV[i + 2])
    back = back + qty
    if redis.call('HINCRBY', KEYS[2], ARGV[i + 1], -qty) <= 0 then
      redis.call('HDEL', KEYS[2], ARGV[i + 1])
    end
    if ARGV[i + 3] ~= '' then redis.call('HDEL', KEYS[3], ARGV[i + 3]) end
  end
end
if back > 0 then redis.call('HINCRBY', KEYS[1], 'available', back) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
return back
"""

# KEYS: log, state, buyers, idem. ARGV: consumer, entry id, units, then per claim three values:
# buyer, quantity, idem field. Undo an admission the database did not record (it was
# unreachable), if the entry is still this node's: another node that claimed it will record
# it. Answers 1 if undone.
UNDO = """
local mine = redis.call('XPENDING', KEYS[1], 'writers', ARGV[2], ARGV[2], 1, ARGV[1])
if #mine == 0 then return 0 end
redis.call('XACK', KEYS[1], 'writers', ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 0 then return 1 end
redis.call('HINCRBY', KEYS[2], 'inflight', -tonumber(ARGV[3]))
redis.call('HINCRBY', KEYS[2], 'available', tonumber(ARGV[3]))
for i = 4, #ARGV, 3 do
  if redis.call('HINCRBY', KEYS[3], ARGV[i], -tonumber(ARGV[i + 1])) <= 0 then
    redis.call('HDEL', KEYS[3], ARGV[i])
  end
  if ARGV[i + 2] ~= '' then redis.call('HDEL', KEYS[4], ARGV[i + 2]) end
end
return 1
"""

# KEYS: state. ARGV: the units the database has available, ended (0/1), 'set' or 'raise'.
# What Redis may still admit becomes that minus the units admitted but not yet recorded
# ('raise': only if that is more than it has, so units stranded by a crash come back while a
# commit racing the database read can only make Redis admit too many, which the database then
# refuses). Answers it, or -1 when the drop is not loaded.
RECONCILE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local available = tonumber(ARGV[1]) - tonumber(redis.call('HGET', KEYS[1], 'inflight') or '0')
if available < 0 then available = 0 end
if ARGV[3] == 'raise' then
  available = math.max(available, tonumber(redis.call('HGET', KEYS[1], 'available')))
end
redis.call('HSET', KEYS[1], 'available', available)
if ARGV[2] == '1' then redis.call('HSET', KEYS[1], 'ended', '1') end
return available
"""
