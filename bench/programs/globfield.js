// globfield (see globfield.tier): globals in hot code, calls through struct fields.
let ACC = 0, COUNT = 0, MAXV = 0, STATE = 17;
const MASK = 0xFFFF;
function addK(s, x) { s.hits++; return (x + s.k) & MASK; }
function mulK(s, x) { s.hits++; return Math.imul(x, s.k) & MASK; }
function xorState(s, x) {
  STATE = (STATE * 75 + 74) % 65537;
  return x ^ (STATE & s.k);
}
function track(s, x) {
  COUNT++;
  if (x > MAXV) MAXV = x;
  ACC = (ACC + x) & 0xFFFFFF;
  return x;
}
const n = +process.argv[2];
const stages = [
  { run: addK, k: 7, hits: 0 },
  { run: mulK, k: 31, hits: 0 },
  { run: xorState, k: 0x5555, hits: 0 },
  { run: addK, k: 12345, hits: 0 },
  { run: track, k: 0, hits: 0 },
];
for (let i = 0; i < n * 1000000; i++) {
  let x = i & MASK;
  for (let j = 0; j < stages.length; j++) {
    const t = stages[j];
    x = t.run(t, x);
  }
}
console.log('acc ' + ACC + ' count ' + COUNT + ' max ' + MAXV + ' state ' + STATE);
console.log('hits ' + stages[0].hits + ' ' + stages[1].hits + ' ' + stages[3].hits);
