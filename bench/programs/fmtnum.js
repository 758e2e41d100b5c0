// fmtnum (see fmtnum.tier): String(i), String(x), toFixed, joined with +.
const n = +process.argv[2];
let total = 0, chk = 0, last = '', x = 0.5;
for (let round = 0; round < n; round++) {
  let report = '';
  for (let i = 0; i < 10000; i++) {
    x = x * 3.7 + 0.13;
    if (x > 1000.0) x = x / 997.0;
    const y = x * x - 1.0 / (x + 1.0);
    const line = '#' + String(i) + ' x=' + String(x) + ' y=' + y.toFixed(3) + ' r=' + (x / 7.0).toFixed(1) + '\n';
    report = report + line;
    chk = (Math.imul(chk, 31) + line.charCodeAt((line.length / 2) | 0) + line.length) & 0xFFFFFF;
  }
  total += report.length;
  chk = (chk + report.charCodeAt((report.length / 3) | 0)) & 0xFFFFFF;
  last = report;
}
let firstEnd = 0;
while (last.charCodeAt(firstEnd) !== 10) firstEnd++;
let lastStart = last.length - 2;
while (last.charCodeAt(lastStart) !== 10) lastStart--;
console.log(last.substring(0, firstEnd));
console.log(last.substring(lastStart + 1, last.length - 1));
console.log('total ' + total + ' checksum ' + chk);
