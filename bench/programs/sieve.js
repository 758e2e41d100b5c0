// Sieve of Eratosthenes: count the primes below N (one byte per number).
function sieve(n) {
  const composite = new Uint8Array(n);
  let count = 0;
  for (let i = 2; i < n; i++) {
    if (!composite[i]) {
      count++;
      if (i <= n / i) {
        for (let j = i * i; j < n; j += i) composite[j] = 1;
      }
    }
  }
  return count;
}

const n = +(process.argv[2] || 1000000);
console.log(`primes below ${n}: ${sieve(n)}`);
