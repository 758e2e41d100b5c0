// jsonish (see jsonish.tier): JSON-like text written piece by piece and parsed back by hand.
let SEED = 29;
function rnd(n) {
  SEED = (SEED * 1101 + 12345) % 1048576;
  return (SEED >> 4) % n;
}
const TAGS = ['red', 'green', 'blue', 'hot', 'cold', 'new', 'old', 'big'];
function randomName() {
  let s = String.fromCharCode(65 + rnd(26));
  const len = 2 + rnd(7);
  for (let i = 0; i < len; i++) s += String.fromCharCode(97 + rnd(26));
  return s;
}
function randomRec(depth) {
  const id = rnd(100000);
  const name = randomName();
  const score = rnd(2001) - 1000;
  const tags = new Array(rnd(4));
  for (let i = 0; i < tags.length; i++) tags[i] = TAGS[rnd(8)];
  const nk = depth > 0 ? rnd(4) : 0;
  const kids = new Array(nk);
  for (let i = 0; i < nk; i++) kids[i] = randomRec(depth - 1);
  return { id, name, score, tags, kids };
}
let OUT = '';
function writeRec(r) {
  OUT += '{"id":' + r.id + ',"name":"' + r.name + '","score":' + r.score + ',"tags":[';
  for (let i = 0; i < r.tags.length; i++) {
    if (i > 0) OUT += ',';
    OUT += '"' + r.tags[i] + '"';
  }
  OUT += '],"kids":';
  writeList(r.kids);
  OUT += '}';
}
function writeList(rs) {
  OUT += '[';
  for (let i = 0; i < rs.length; i++) {
    if (i > 0) OUT += ',';
    writeRec(rs[i]);
  }
  OUT += ']';
}
let SRC = '', POS = 0;
function expect(c) {
  if (SRC.charCodeAt(POS) !== c) throw new Error(`expected ${String.fromCharCode(c)} at ${POS}`);
  POS += 1;
}
function parseString() {
  expect(34);
  const start = POS;
  while (SRC.charCodeAt(POS) !== 34) POS += 1;
  const s = SRC.substring(start, POS);
  POS += 1;
  return s;
}
function parseInt_() {
  const start = POS;
  if (SRC.charCodeAt(POS) === 45) POS += 1;
  for (;;) {
    const c = SRC.charCodeAt(POS);
    if (c < 48 || c > 57) break;
    POS += 1;
  }
  return Number(SRC.substring(start, POS));
}
function parseTags() {
  expect(91);
  const out = [];
  while (SRC.charCodeAt(POS) !== 93) {
    if (out.length > 0) expect(44);
    out.push(parseString());
  }
  POS += 1;
  return out;
}
function parseList() {
  expect(91);
  const out = [];
  while (SRC.charCodeAt(POS) !== 93) {
    if (out.length > 0) expect(44);
    out.push(parseRec());
  }
  POS += 1;
  return out;
}
function parseRec() {
  expect(123);
  const r = { id: 0, name: null, score: 0, tags: null, kids: null };
  let first = true;
  while (SRC.charCodeAt(POS) !== 125) {
    if (!first) expect(44);
    first = false;
    const key = parseString();
    expect(58);
    if (key === 'id') r.id = parseInt_();
    else if (key === 'name') r.name = parseString();
    else if (key === 'score') r.score = parseInt_();
    else if (key === 'tags') r.tags = parseTags();
    else if (key === 'kids') r.kids = parseList();
    else throw new Error('unknown key ' + key);
  }
  POS += 1;
  return r;
}
let COUNT = 0, SUM = 0;
function check(rs) {
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i];
    COUNT += 1;
    SUM = (SUM * 3 + r.id + r.score + 1000 + r.name.length * 7 + r.name.charCodeAt(0) + r.tags.length) % 1000003;
    for (let t = 0; t < r.tags.length; t++) SUM = (SUM + r.tags[t].charCodeAt(0)) % 1000003;
    check(r.kids);
  }
}
function main(n) {
  let bytes = 0;
  for (let d = 0; d < n; d++) {
    const doc = new Array(20);
    for (let i = 0; i < 20; i++) doc[i] = randomRec(2);
    OUT = '';
    writeList(doc);
    const text = OUT;
    bytes += text.length;
    SRC = text;
    POS = 0;
    const back = parseList();
    if (POS !== text.length) throw new Error('trailing text');
    check(back);
    OUT = '';
    writeList(back);
    if (OUT !== text) throw new Error('round trip changed the text');
  }
  console.log(`documents ${n}, records ${COUNT}, bytes ${bytes}, checksum ${SUM}`);
  console.log(OUT.substring(0, 60));
}
main(Number(process.argv[2]));
