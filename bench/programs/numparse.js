// numparse (see numparse.tier): toFixed, String and + to text; Number back.
const n = +process.argv[2];
let x = 0.25, sum = 0, isum = 0, exact = 0;
for (let round = 0; round < n; round++) {
  for (let i = 0; i < 10000; i++) {
    x = x * 1.37 + 0.011;
    if (x > 5000.0) x = x / 4099.0;
    const d = i % 7;
    const text = x.toFixed(d) + ';' + String(i * 37 - 99999) + ';' + String(i % 1000) + '.' + String(round % 97);
    let a = 0;
    while (text.charCodeAt(a) !== 59) a++;
    let b = a + 1;
    while (text.charCodeAt(b) !== 59) b++;
    const v = Number(text.substring(0, a));
    const k = Number(text.substring(a + 1, b)) | 0;
    const w = Number(text.substring(b + 1, text.length));
    if (v.toFixed(d) === text.substring(0, a)) exact++;
    sum += v + w * 0.001;
    isum = (isum + k) & 0xFFFFFF;
  }
}
console.log(sum.toFixed(6) + ' ' + isum + ' ' + exact);
