// csvsplit (see csvsplit.tier): lines of comma-separated text generated, split with substring, parsed.
let SEED = 3;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
function name() {
  let s = '';
  const len = 2 + rnd(3);
  for (let i = 0; i < len; i++) s = s + String.fromCharCode(97 + rnd(4));
  return s;
}
function split(line, sep) {
  let count = 1;
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) === sep) count += 1;
  const fields = new Array(count);
  let start = 0, k = 0;
  for (let i = 0; i < line.length; i++) {
    if (line.charCodeAt(i) === sep) {
      fields[k] = line.substring(start, i);
      k += 1;
      start = i + 1;
    }
  }
  fields[k] = line.substring(start, line.length);
  return fields;
}
function main(n) {
  let hits = 0, qty = 0, price = 0, check = 0;
  for (let i = 0; i < n; i++) {
    const line = 'id' + String(i) + ',' + name() + ',' + String(rnd(1000)) + ',' + String(rnd(200) - 100) + ',' + name();
    const f = split(line, 44);
    if (f.length !== 5) throw new Error('bad line ' + line);
    const nm = f[1];
    if (nm === 'abc' || nm === 'dd' || nm === 'bada') hits += 1;
    if (f[4] === nm) hits += 100;
    qty += parseInt(f[2], 10);
    price += parseInt(f[3], 10);
    check = (check * 31 + f[0].length * 7 + nm.length + f[4].charCodeAt(0)) % 1000003;
  }
  console.log(`lines ${n}, hits ${hits}, qty ${qty}, price ${price}, checksum ${check}`);
}
main(Number(process.argv[2]));
