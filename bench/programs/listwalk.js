// listwalk (see listwalk.tier).
function sum(n) { return n === null ? 0 : (n.v + sum(n.next)) | 0; }
const len = Number(process.argv[2]);
let h = null;
for (let i = 0; i < len; i++) h = { v: i & 1023, next: h };
let t = 0;
for (let r = 0; r < 300; r++) t = (t + sum(h)) | 0;
console.log(t);
