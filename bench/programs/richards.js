// Richards: Martin Richards' task-scheduler simulation in the shape of the
// Octane/V8 richards.js. Tasks are plain objects that hold their behaviour as a
// function value (`run`), and the scheduler dispatches every step through it
// (see richards.tier). N runs (idle count 1000 each); every run must give queue
// count 2322 and hold count 928.
const COUNT = 1000;
const DATA_SIZE = 4;

const ID_IDLE = 0, ID_WORKER = 1, ID_HANDLER_A = 2, ID_HANDLER_B = 3;
const ID_DEVICE_A = 4, ID_DEVICE_B = 5, NUMBER_OF_IDS = 6;
const KIND_DEVICE = 0, KIND_WORK = 1;
const STATE_RUNNING = 0, STATE_RUNNABLE = 1, STATE_SUSPENDED = 2, STATE_HELD = 4;
const STATE_SUSPENDED_RUNNABLE = 3, STATE_NOT_HELD = ~4;

// ---- packets ------------------------------------------------------------------------
function newPacket(link, id, kind) {
  return { link, id, kind, a1: 0, a2: new Int32Array(DATA_SIZE) };
}

function addTo(packet, queue) {
  packet.link = null;
  if (queue === null) return packet;
  let next = queue;
  while (next.link !== null) next = next.link;
  next.link = packet;
  return queue;
}

// ---- the scheduler ------------------------------------------------------------------
function addTask(s, id, priority, queue, run, v1, v2) {
  const t = {
    link: s.list, id, priority, queue,
    state: queue === null ? STATE_SUSPENDED : STATE_SUSPENDED_RUNNABLE,
    run, v1, v2, p1: null, p2: null,
  };
  s.list = t;
  s.current = t;
  s.blocks[id] = t;
}

function schedule(s) {
  s.current = s.list;
  while (s.current !== null) {
    const t = s.current;
    if ((t.state & STATE_HELD) !== 0 || t.state === STATE_SUSPENDED) {
      s.current = t.link;
    } else {
      s.current_id = t.id;
      s.current = runTask(s, t);
    }
  }
}

function runTask(s, t) {
  let packet = null;
  if (t.state === STATE_SUSPENDED_RUNNABLE) {
    packet = t.queue;
    t.queue = packet.link;
    t.state = t.queue === null ? STATE_RUNNING : STATE_RUNNABLE;
  }
  return t.run(s, t, packet);
}

function release(s, id) {
  const t = s.blocks[id];
  if (t === null) return t;
  t.state = t.state & STATE_NOT_HELD;
  if (t.priority > s.current.priority) return t;
  return s.current;
}

function holdCurrent(s) {
  s.hold_count++;
  s.current.state = s.current.state | STATE_HELD;
  return s.current.link;
}

function suspendCurrent(s) {
  s.current.state = s.current.state | STATE_SUSPENDED;
  return s.current;
}

function queuePacket(s, packet) {
  const t = s.blocks[packet.id];
  if (t === null) return t;
  s.queue_count++;
  packet.link = null;
  packet.id = s.current_id;
  return checkPriorityAdd(t, s.current, packet);
}

function checkPriorityAdd(t, current, packet) {
  if (t.queue === null) {
    t.queue = packet;
    t.state = t.state | STATE_RUNNABLE;
    if (t.priority > current.priority) return t;
  } else {
    t.queue = addTo(packet, t.queue);
  }
  return current;
}

// ---- the four kinds of task ---------------------------------------------------------
function idleRun(s, t, packet) {
  t.v2--;
  if (t.v2 === 0) return holdCurrent(s);
  if ((t.v1 & 1) === 0) {
    t.v1 = t.v1 >> 1;
    return release(s, ID_DEVICE_A);
  }
  t.v1 = (t.v1 >> 1) ^ 0xD008;
  return release(s, ID_DEVICE_B);
}

function deviceRun(s, t, packet) {
  if (packet === null) {
    if (t.p1 === null) return suspendCurrent(s);
    const v = t.p1;
    t.p1 = null;
    return queuePacket(s, v);
  }
  t.p1 = packet;
  return holdCurrent(s);
}

function workerRun(s, t, packet) {
  if (packet === null) return suspendCurrent(s);
  t.v1 = t.v1 === ID_HANDLER_A ? ID_HANDLER_B : ID_HANDLER_A;
  packet.id = t.v1;
  packet.a1 = 0;
  for (let i = 0; i < DATA_SIZE; i++) {
    t.v2++;
    if (t.v2 > 26) t.v2 = 1;
    packet.a2[i] = t.v2;
  }
  return queuePacket(s, packet);
}

function handlerRun(s, t, packet) {
  if (packet !== null) {
    if (packet.kind === KIND_WORK) t.p1 = addTo(packet, t.p1);
    else t.p2 = addTo(packet, t.p2);
  }
  if (t.p1 !== null) {
    const count = t.p1.a1;
    if (count < DATA_SIZE) {
      if (t.p2 !== null) {
        const v = t.p2;
        t.p2 = t.p2.link;
        v.a1 = t.p1.a2[count];
        t.p1.a1 = count + 1;
        return queuePacket(s, v);
      }
    } else {
      const v = t.p1;
      t.p1 = t.p1.link;
      return queuePacket(s, v);
    }
  }
  return suspendCurrent(s);
}

// ---- one run ------------------------------------------------------------------------
function runRichards() {
  const s = {
    queue_count: 0, hold_count: 0, blocks: new Array(NUMBER_OF_IDS).fill(null),
    list: null, current: null, current_id: 0,
  };
  addTask(s, ID_IDLE, 0, null, idleRun, 1, COUNT);
  s.current.state = STATE_RUNNING;

  let q = newPacket(null, ID_WORKER, KIND_WORK);
  q = newPacket(q, ID_WORKER, KIND_WORK);
  addTask(s, ID_WORKER, 1000, q, workerRun, ID_HANDLER_A, 0);

  q = newPacket(null, ID_DEVICE_A, KIND_DEVICE);
  q = newPacket(q, ID_DEVICE_A, KIND_DEVICE);
  q = newPacket(q, ID_DEVICE_A, KIND_DEVICE);
  addTask(s, ID_HANDLER_A, 2000, q, handlerRun, 0, 0);

  q = newPacket(null, ID_DEVICE_B, KIND_DEVICE);
  q = newPacket(q, ID_DEVICE_B, KIND_DEVICE);
  q = newPacket(q, ID_DEVICE_B, KIND_DEVICE);
  addTask(s, ID_HANDLER_B, 3000, q, handlerRun, 0, 0);

  addTask(s, ID_DEVICE_A, 4000, null, deviceRun, 0, 0);
  addTask(s, ID_DEVICE_B, 5000, null, deviceRun, 0, 0);

  schedule(s);
  return s;
}

const n = +(process.argv[2] || 1);
let queued = 0, held = 0;
for (let i = 0; i < n; i++) {
  const s = runRichards();
  if (s.queue_count !== 2322 || s.hold_count !== 928) {
    throw new Error(`run ${i}: queue count ${s.queue_count}, hold count ${s.hold_count}`);
  }
  queued += s.queue_count;
  held += s.hold_count;
}
console.log(`richards: ${n} runs, queue count ${queued}, hold count ${held}`);
