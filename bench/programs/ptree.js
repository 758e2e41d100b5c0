// ptree (see ptree.tier): a persistent binary search tree updated by path copying, 16 versions kept.
let SEED = 13;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function node(key, val, left, right) { return { key, val, left, right }; }
function find(t, key) {
  let n = t;
  while (n !== null) {
    if (key === n.key) return n;
    n = key < n.key ? n.left : n.right;
  }
  return null;
}
function insert(t, key, val) {
  if (t === null) return node(key, val, null, null);
  if (key < t.key) return node(t.key, t.val, insert(t.left, key, val), t.right);
  if (key > t.key) return node(t.key, t.val, t.left, insert(t.right, key, val));
  return node(key, val, t.left, t.right);
}
function minNode(t) {
  let n = t;
  while (n.left !== null) n = n.left;
  return n;
}
function removeMin(t) {
  if (t.left === null) return t.right;
  return node(t.key, t.val, removeMin(t.left), t.right);
}
function remove(t, key) {
  if (t === null) return null;
  if (key < t.key) return node(t.key, t.val, remove(t.left, key), t.right);
  if (key > t.key) return node(t.key, t.val, t.left, remove(t.right, key));
  if (t.left === null) return t.right;
  if (t.right === null) return t.left;
  const m = minNode(t.right);
  return node(m.key, m.val, t.left, removeMin(t.right));
}
let COUNT = 0, SUM = 0;
function walk(t) {
  if (t === null) return;
  walk(t.left);
  COUNT += 1;
  SUM = (SUM * 7 + t.key + t.val) % 1000003;
  walk(t.right);
}
function main(n, keys) {
  const versions = new Array(16).fill(null);
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const base = versions[rnd(16)];
    const key = rnd(keys);
    const found = find(base, key);
    let next;
    if (found !== null) {
      hits += 1;
      if (found.val % 3 === 0) next = remove(base, key);
      else next = insert(base, key, found.val + i % 7);
    } else {
      next = insert(base, key, i % 1000);
    }
    versions[i % 16] = next;
  }
  for (let v = 0; v < 16; v++) walk(versions[v]);
  console.log(`updates ${n}, hits ${hits}, nodes in versions ${COUNT}, checksum ${SUM}`);
}
main(Number(process.argv[2]), process.argv.length > 3 ? Number(process.argv[3]) : 20000);
