// String building: N steps of `s = s + String(i) + ","`; whenever s reaches 64
// characters it is cut in two with substring, the front half is sampled into a
// checksum and the back half kept (see strings.tier).
function strings(n) {
  let s = "";
  let pieces = 0, total = 0, hash = 0;
  for (let i = 0; i < n; i++) {
    s = s + String(i) + ",";
    if (s.length >= 64) {
      const cut = s.length >> 1;
      const piece = s.substring(0, cut);
      s = s.substring(cut, s.length);
      pieces++;
      total += piece.length;
      hash = (hash * 31 + piece.charCodeAt(0)) % 1000003;
      hash = (hash * 31 + piece.charCodeAt(cut >> 1)) % 1000003;
      hash = (hash * 31 + piece.charCodeAt(cut - 1)) % 1000003;
      hash = (hash * 31 + piece.charCodeAt(i % cut)) % 1000003;
    }
  }
  return `${pieces} pieces, ${total} code units, checksum ${hash}\nrest: ${s}`;
}

const n = +(process.argv[2] || 1000);
console.log(strings(n));
