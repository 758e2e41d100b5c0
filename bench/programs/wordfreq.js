// wordfreq (see wordfreq.tier): words cut from generated lines, interned in a hand-written chained hash table.
let SEED = 31;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
const SYL = ['ka', 'to', 'ri', 'men', 'sa', 'lo', 'pu', 'ne', 'dar', 'vi', 'qu', 'es', 'bo', 'ta', 'lin', 'or'];
function hash(s) {
  let h = 7;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 1048573;
  return h;
}
function grow(t) {
  const old = t.buckets;
  const cap = old.length * 2;
  const b = new Array(cap).fill(null);
  for (let i = 0; i < old.length; i++) {
    let w = old[i];
    while (w !== null) {
      const next = w.next;
      const j = w.hash % cap;
      w.next = b[j];
      b[j] = w;
      w = next;
    }
  }
  t.buckets = b;
}
function intern(t, s) {
  const h = hash(s);
  let w = t.buckets[h % t.buckets.length];
  while (w !== null) {
    if (w.hash === h && w.text === s) { w.count += 1; return w.id; }
    w = w.next;
  }
  if ((t.words.length + 1) * 4 > t.buckets.length * 3) grow(t);
  const j = h % t.buckets.length;
  const nw = { text: s, hash: h, id: t.words.length, count: 1, next: t.buckets[j] };
  t.buckets[j] = nw;
  t.words.push(nw);
  return nw.id;
}
function makeLine() {
  let line = '';
  const words = 8 + rnd(8);
  for (let w = 0; w < words; w++) {
    if (w > 0) line += ' ';
    const syls = 1 + rnd(3);
    for (let k = 0; k < syls; k++) line += SYL[rnd(rnd(16) + 1)];
  }
  return line;
}
function main(n) {
  const t = { buckets: new Array(16).fill(null), words: [] };
  let sum = 0, total = 0;
  for (let i = 0; i < n; i++) {
    const line = makeLine();
    let count = 1;
    for (let k = 0; k < line.length; k++) if (line.charCodeAt(k) === 32) count += 1;
    const ids = new Array(count);
    let start = 0, w = 0;
    for (let k = 0; k <= line.length; k++) {
      if (k === line.length || line.charCodeAt(k) === 32) {
        ids[w] = intern(t, line.substring(start, k));
        w += 1;
        start = k + 1;
      }
    }
    total += count;
    sum = (sum * 3 + ids[count >> 1] + ids[count - 1]) % 1000003;
  }
  console.log(`lines ${n}, words ${total}, distinct ${t.words.length}, checksum ${sum}`);
  const taken = new Array(t.words.length).fill(false);
  for (let r = 0; r < 5; r++) {
    let best = -1;
    for (let i = 0; i < t.words.length; i++) {
      if (!taken[i] && (best < 0 || t.words[i].count > t.words[best].count)) best = i;
    }
    taken[best] = true;
    console.log(`${t.words[best].text} ${t.words[best].count}`);
  }
}
main(Number(process.argv[2]));
