// Pieces (see pieces.tier): a string built one short piece at a time.
const n = parseInt(process.argv[2], 10);
let s = '';
for (let i = 0; i < n; i++) {
  s = s + String(i % 10);
  if (i % 100 === 99) s += '\n';
}
let h = 0;
for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) % 1000003;
console.log(s.length);
console.log(h);
