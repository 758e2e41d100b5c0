// bstmap (see bstmap.tier): an unbalanced binary search tree with inserts and deletes.
let SEED = 9;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function insert(t, key, val) {
  if (t === null) return { key, val, left: null, right: null };
  if (key < t.key) t.left = insert(t.left, key, val);
  else if (key > t.key) t.right = insert(t.right, key, val);
  else t.val = val;
  return t;
}
function contains(t, key) {
  let n = t;
  while (n !== null) {
    if (key === n.key) return true;
    n = key < n.key ? n.left : n.right;
  }
  return false;
}
function del(t, key) {
  if (t === null) return null;
  if (key < t.key) { t.left = del(t.left, key); return t; }
  if (key > t.key) { t.right = del(t.right, key); return t; }
  if (t.left === null) return t.right;
  if (t.right === null) return t.left;
  let m = t.right;
  while (m.left !== null) m = m.left;
  t.key = m.key;
  t.val = m.val;
  t.right = del(t.right, m.key);
  return t;
}
function height(t) {
  if (t === null) return 0;
  const l = height(t.left), r = height(t.right);
  return (l > r ? l : r) + 1;
}
let COUNT = 0, SUM = 0;
function walk(t) {
  if (t === null) return;
  walk(t.left);
  COUNT += 1;
  SUM = (SUM * 7 + t.key + t.val) % 1000003;
  walk(t.right);
}
function main(n) {
  let root = null, deleted = 0;
  for (let i = 0; i < n; i++) {
    const key = rnd(65536) * 2 + rnd(2);
    if (contains(root, key)) { root = del(root, key); deleted += 1; }
    else root = insert(root, key, i % 1000);
  }
  walk(root);
  console.log(`size ${COUNT}, height ${height(root)}, deleted ${deleted}, checksum ${SUM}`);
}
main(Number(process.argv[2]));
