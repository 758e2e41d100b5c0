// The host's own failures as every layer must tell them apart from the
// embedder's exceptions and the guest's errors. What must stay true: a test
// here needs next to no host stack, since it runs where the stack ran out.

/** Is e the host's RangeError for a host stack overflow (V8: "Maximum call
 *  stack size exceeded")? Asked where the stack has just run out, so it calls
 *  as little as it can: a regular expression, compiled on first use, failed
 *  there with a SyntaxError of its own; should even this call not fit, the
 *  RangeError is taken as the overflow. */
export function isHostStackOverflow(e: unknown): boolean {
  if (!(e instanceof RangeError)) return false;
  try {
    return e.message.includes('call stack');
  } catch {
    return true;
  }
}
