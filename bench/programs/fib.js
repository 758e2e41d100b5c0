// Naive doubly recursive Fibonacci: measures call overhead.
function fib(n) {
  if (n < 2) return n;
  return fib(n - 1) + fib(n - 2);
}

const n = +(process.argv[2] || 32);
console.log(fib(n));
