// bfsqueue (see bfsqueue.tier): BFS over a grid with a linked-list queue of cells.
let SEED = 7;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function push(q, x, y, d) {
  const c = { x, y, d, next: null };
  if (q.tail === null) q.head = c; else q.tail.next = c;
  q.tail = c;
  q.size += 1;
}
function pop(q) {
  const c = q.head;
  q.head = c.next;
  if (q.head === null) q.tail = null;
  q.size -= 1;
  return c;
}
function visit(walls, dist, q, x, y, d) {
  const w = walls.length;
  if (x < 0 || y < 0 || x >= w || y >= w) return;
  if (walls[y][x] || dist[y][x] !== 0) return;
  dist[y][x] = d + 1;
  push(q, x, y, d);
}
function main(rounds) {
  const w = 300;
  let reached = 0, total = 0, far = 0;
  for (let r = 0; r < rounds; r++) {
    const walls = new Array(w);
    const dist = new Array(w);
    for (let y = 0; y < w; y++) {
      const row = new Array(w).fill(false);
      for (let x = 0; x < w; x++) row[x] = rnd(100) < 30;
      walls[y] = row;
      dist[y] = new Array(w).fill(0);
    }
    walls[0][0] = false;
    const q = { head: null, tail: null, size: 0 };
    visit(walls, dist, q, 0, 0, 0);
    while (q.size > 0) {
      const c = pop(q);
      reached += 1;
      total += c.d;
      if (c.d > far) far = c.d;
      visit(walls, dist, q, c.x + 1, c.y, c.d + 1);
      visit(walls, dist, q, c.x - 1, c.y, c.d + 1);
      visit(walls, dist, q, c.x, c.y + 1, c.d + 1);
      visit(walls, dist, q, c.x, c.y - 1, c.d + 1);
    }
  }
  console.log(`reached ${reached}, distance sum ${total}, farthest ${far}`);
}
main(Number(process.argv[2]));
