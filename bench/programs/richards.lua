-- Richards: Martin Richards' task-scheduler simulation in the shape of the
-- Octane/V8 richards.js. Tasks are tables that hold their behaviour as a function
-- value (`run`), and the scheduler dispatches every step through it (see
-- richards.tier). N runs (idle count 1000 each); every run must give queue count
-- 2322 and hold count 928.
--
-- One file serves Lua 5.1/LuaJIT (no bitwise operators; LuaJIT has the bit library),
-- Lua 5.3/fengari and 5.4 (operators, no bit library). The task state is a 3-bit
-- set (RUNNABLE 1, SUSPENDED 2, HELD 4), so its bit tests and updates are written
-- as arithmetic on 0..7, which every version runs natively; the one XOR (the idle
-- task's shift register) uses bit.bxor or the native operator, whichever exists.
local floor = math.floor
local bxor
if bit then
  bxor = bit.bxor
else
  bxor = load("return function(a, b) return a ~ b end")()
end

local COUNT = 1000
local DATA_SIZE = 4

local ID_IDLE, ID_WORKER, ID_HANDLER_A, ID_HANDLER_B = 0, 1, 2, 3
local ID_DEVICE_A, ID_DEVICE_B, NUMBER_OF_IDS = 4, 5, 6
local KIND_DEVICE, KIND_WORK = 0, 1
local STATE_RUNNING, STATE_RUNNABLE, STATE_SUSPENDED, STATE_HELD = 0, 1, 2, 4
local STATE_SUSPENDED_RUNNABLE = 3

-- ---- packets -------------------------------------------------------------------------
local function newPacket(link, id, kind)
  local a2 = {}
  for i = 1, DATA_SIZE do a2[i] = 0 end
  return { link = link, id = id, kind = kind, a1 = 0, a2 = a2 }
end

local function addTo(packet, queue)
  packet.link = nil
  if queue == nil then return packet end
  local next = queue
  while next.link ~= nil do next = next.link end
  next.link = packet
  return queue
end

-- ---- the scheduler -------------------------------------------------------------------
local function addTask(s, id, priority, queue, run, v1, v2)
  local state = STATE_SUSPENDED_RUNNABLE
  if queue == nil then state = STATE_SUSPENDED end
  local t = {
    link = s.list, id = id, priority = priority, queue = queue, state = state,
    run = run, v1 = v1, v2 = v2, p1 = nil, p2 = nil,
  }
  s.list = t
  s.current = t
  s.blocks[id] = t
end

local function runTask(s, t)
  local packet = nil
  if t.state == STATE_SUSPENDED_RUNNABLE then
    packet = t.queue
    t.queue = packet.link
    if t.queue == nil then t.state = STATE_RUNNING else t.state = STATE_RUNNABLE end
  end
  return t.run(s, t, packet)
end

local function schedule(s)
  s.current = s.list
  while s.current ~= nil do
    local t = s.current
    local state = t.state
    if state >= STATE_HELD or state == STATE_SUSPENDED then   -- state & HELD ~= 0
      s.current = t.link
    else
      s.current_id = t.id
      s.current = runTask(s, t)
    end
  end
end

local function release(s, id)
  local t = s.blocks[id]
  if t == nil then return t end
  if t.state >= STATE_HELD then t.state = t.state - STATE_HELD end   -- state & ~HELD
  if t.priority > s.current.priority then return t end
  return s.current
end

local function holdCurrent(s)
  s.hold_count = s.hold_count + 1
  local c = s.current
  if c.state < STATE_HELD then c.state = c.state + STATE_HELD end   -- state | HELD
  return c.link
end

local function suspendCurrent(s)
  local c = s.current
  if c.state % 4 < STATE_SUSPENDED then c.state = c.state + STATE_SUSPENDED end   -- state | SUSPENDED
  return c
end

local function checkPriorityAdd(t, current, packet)
  if t.queue == nil then
    t.queue = packet
    if t.state % 2 == 0 then t.state = t.state + STATE_RUNNABLE end   -- state | RUNNABLE
    if t.priority > current.priority then return t end
  else
    t.queue = addTo(packet, t.queue)
  end
  return current
end

local function queuePacket(s, packet)
  local t = s.blocks[packet.id]
  if t == nil then return t end
  s.queue_count = s.queue_count + 1
  packet.link = nil
  packet.id = s.current_id
  return checkPriorityAdd(t, s.current, packet)
end

-- ---- the four kinds of task ----------------------------------------------------------
local function idleRun(s, t, packet)
  t.v2 = t.v2 - 1
  if t.v2 == 0 then return holdCurrent(s) end
  local v1 = t.v1
  if v1 % 2 == 0 then
    t.v1 = floor(v1 / 2)
    return release(s, ID_DEVICE_A)
  end
  t.v1 = bxor(floor(v1 / 2), 0xD008)
  return release(s, ID_DEVICE_B)
end

local function deviceRun(s, t, packet)
  if packet == nil then
    if t.p1 == nil then return suspendCurrent(s) end
    local v = t.p1
    t.p1 = nil
    return queuePacket(s, v)
  end
  t.p1 = packet
  return holdCurrent(s)
end

local function workerRun(s, t, packet)
  if packet == nil then return suspendCurrent(s) end
  if t.v1 == ID_HANDLER_A then t.v1 = ID_HANDLER_B else t.v1 = ID_HANDLER_A end
  packet.id = t.v1
  packet.a1 = 0
  local a2 = packet.a2
  for i = 1, DATA_SIZE do
    t.v2 = t.v2 + 1
    if t.v2 > 26 then t.v2 = 1 end
    a2[i] = t.v2
  end
  return queuePacket(s, packet)
end

local function handlerRun(s, t, packet)
  if packet ~= nil then
    if packet.kind == KIND_WORK then t.p1 = addTo(packet, t.p1) else t.p2 = addTo(packet, t.p2) end
  end
  if t.p1 ~= nil then
    local count = t.p1.a1
    if count < DATA_SIZE then
      if t.p2 ~= nil then
        local v = t.p2
        t.p2 = t.p2.link
        v.a1 = t.p1.a2[count + 1]
        t.p1.a1 = count + 1
        return queuePacket(s, v)
      end
    else
      local v = t.p1
      t.p1 = t.p1.link
      return queuePacket(s, v)
    end
  end
  return suspendCurrent(s)
end

-- ---- one run -------------------------------------------------------------------------
local function runRichards()
  local s = { queue_count = 0, hold_count = 0, blocks = {}, list = nil, current = nil, current_id = 0 }
  addTask(s, ID_IDLE, 0, nil, idleRun, 1, COUNT)
  s.current.state = STATE_RUNNING

  local q = newPacket(nil, ID_WORKER, KIND_WORK)
  q = newPacket(q, ID_WORKER, KIND_WORK)
  addTask(s, ID_WORKER, 1000, q, workerRun, ID_HANDLER_A, 0)

  q = newPacket(nil, ID_DEVICE_A, KIND_DEVICE)
  q = newPacket(q, ID_DEVICE_A, KIND_DEVICE)
  q = newPacket(q, ID_DEVICE_A, KIND_DEVICE)
  addTask(s, ID_HANDLER_A, 2000, q, handlerRun, 0, 0)

  q = newPacket(nil, ID_DEVICE_B, KIND_DEVICE)
  q = newPacket(q, ID_DEVICE_B, KIND_DEVICE)
  q = newPacket(q, ID_DEVICE_B, KIND_DEVICE)
  addTask(s, ID_HANDLER_B, 3000, q, handlerRun, 0, 0)

  addTask(s, ID_DEVICE_A, 4000, nil, deviceRun, 0, 0)
  addTask(s, ID_DEVICE_B, 5000, nil, deviceRun, 0, 0)

  schedule(s)
  return s
end

local n = tonumber(arg[1]) or 1
local queued, held = 0, 0
for i = 0, n - 1 do
  local s = runRichards()
  if s.queue_count ~= 2322 or s.hold_count ~= 928 then
    error(string.format("run %d: queue count %d, hold count %d", i, s.queue_count, s.hold_count))
  end
  queued = queued + s.queue_count
  held = held + s.hold_count
end
print(string.format("richards: %d runs, queue count %d, hold count %d", n, queued, held))
