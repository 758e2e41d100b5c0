// hashchain (see hashchain.tier): a hand-written chained hash map from string to int, grown by rehash.
let SEED = 5;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function hash(s) {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 1048573;
  return h;
}
function grow(m) {
  const old = m.buckets;
  const cap = old.length * 2;
  const b = new Array(cap).fill(null);
  for (let i = 0; i < old.length; i++) {
    let e = old[i];
    while (e !== null) {
      const next = e.next;
      const j = e.hash % cap;
      e.next = b[j];
      b[j] = e;
      e = next;
    }
  }
  m.buckets = b;
}
function find(m, key, h) {
  let e = m.buckets[h % m.buckets.length];
  while (e !== null) {
    if (e.hash === h && e.key === key) return e;
    e = e.next;
  }
  return null;
}
function add(m, key, d) {
  const h = hash(key);
  const e = find(m, key, h);
  if (e !== null) { e.val += d; return; }
  if ((m.count + 1) * 4 > m.buckets.length * 3) grow(m);
  const j = h % m.buckets.length;
  m.buckets[j] = { key, hash: h, val: d, next: m.buckets[j] };
  m.count += 1;
}
function remove(m, key) {
  const h = hash(key);
  const j = h % m.buckets.length;
  let prev = null;
  let e = m.buckets[j];
  while (e !== null) {
    if (e.hash === h && e.key === key) {
      if (prev === null) m.buckets[j] = e.next; else prev.next = e.next;
      m.count -= 1;
      return true;
    }
    prev = e;
    e = e.next;
  }
  return false;
}
function main(n) {
  const m = { buckets: new Array(8).fill(null), count: 0 };
  let hits = 0, sum = 0;
  for (let i = 0; i < n; i++) {
    const k = 'w' + String(rnd(65536) * 4 + rnd(4));
    const op = rnd(8);
    if (op < 5) add(m, k, 1 + op);
    else if (op < 6) { if (remove(m, k)) hits += 1; }
    else {
      const e = find(m, k, hash(k));
      if (e !== null) { hits += 1; sum = (sum + e.val) % 1000003; }
    }
  }
  for (let i = 0; i < m.buckets.length; i++) {
    let e = m.buckets[i];
    while (e !== null) { sum = (sum + e.val * e.key.length) % 1000003; e = e.next; }
  }
  console.log(`size ${m.count}, capacity ${m.buckets.length}, hits ${hits}, sum ${sum}`);
}
main(Number(process.argv[2]));
