// dijkstra (see dijkstra.tier): shortest paths with a binary heap of item objects.
let SEED = 23;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function hpush(h, dist, node) {
  const items = h.items;
  const it = { dist, node };
  let i = items.length;
  items.push(it);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (items[p].dist <= dist) break;
    items[i] = items[p];
    i = p;
  }
  items[i] = it;
}
function hpop(h) {
  const items = h.items;
  const top = items[0];
  const last = items.pop();
  const n = items.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && items[c + 1].dist < items[c].dist) c += 1;
    if (items[c].dist >= last.dist) break;
    items[i] = items[c];
    i = c;
  }
  items[i] = last;
  return top;
}
function main(n) {
  const to = new Array(n), wt = new Array(n);
  for (let u = 0; u < n; u++) {
    const tv = [], wv = [];
    for (let k = 0; k < 4; k++) {
      tv.push(rnd(n));
      wv.push(rnd(100) + 1);
    }
    if (rnd(50) === 0) {
      for (let k = 0; k < 60; k++) { tv.push(rnd(n)); wv.push(rnd(1000) + 1); }
    }
    to[u] = tv.slice();
    wt[u] = wv.slice();
  }
  let sum = 0, reach = 0, far = 0, pushes = 0;
  for (let s = 0; s < 16; s++) {
    const src = rnd(n);
    const dist = new Array(n).fill(2147483647);
    const h = { items: [] };
    dist[src] = 0;
    hpush(h, 0, src);
    while (h.items.length > 0) {
      const it = hpop(h);
      const u = it.node;
      if (it.dist > dist[u]) continue;
      const tu = to[u], wu = wt[u];
      for (let k = 0; k < tu.length; k++) {
        const v = tu[k];
        const d = it.dist + wu[k];
        if (d < dist[v]) {
          dist[v] = d;
          hpush(h, d, v);
          pushes += 1;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      if (dist[i] !== 2147483647) {
        reach += 1;
        sum = (sum * 7 + dist[i]) % 1000003;
        if (dist[i] > far) far = dist[i];
      }
    }
  }
  console.log(`reached ${reach}, farthest ${far}, pushes ${pushes}, checksum ${sum}`);
}
main(Number(process.argv[2]));
