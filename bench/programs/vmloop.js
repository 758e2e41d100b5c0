// vmloop (see vmloop.tier): a tiny stack-machine interpreter, if/else-if dispatch.
function run(code, n) {
  const stack = new Int32Array(64);
  const locals = new Int32Array(8);
  locals[0] = n;
  let sp = 0, pc = 0, steps = 0;
  while (true) {
    const op = code[pc];
    steps++;
    if (op === 0) { stack[sp] = code[pc + 1]; sp++; pc += 2; }
    else if (op === 1) { stack[sp] = locals[code[pc + 1]]; sp++; pc += 2; }
    else if (op === 2) { sp--; locals[code[pc + 1]] = stack[sp]; pc += 2; }
    else if (op === 3) { sp--; stack[sp - 1] = stack[sp - 1] + stack[sp]; pc += 1; }
    else if (op === 4) { sp--; stack[sp - 1] = stack[sp - 1] - stack[sp]; pc += 1; }
    else if (op === 5) { sp--; stack[sp - 1] = Math.imul(stack[sp - 1], stack[sp]); pc += 1; }
    else if (op === 6) { sp--; stack[sp - 1] = stack[sp - 1] ^ stack[sp]; pc += 1; }
    else if (op === 7) { sp--; stack[sp - 1] = stack[sp - 1] & stack[sp]; pc += 1; }
    else if (op === 8) { sp--; stack[sp - 1] = stack[sp - 1] >> stack[sp]; pc += 1; }
    else if (op === 9) { sp--; if (stack[sp] === 0) pc = code[pc + 1]; else pc += 2; }
    else if (op === 10) { pc = code[pc + 1]; }
    else if (op === 11) { stack[sp] = stack[sp - 1]; sp++; pc += 1; }
    else if (op === 12) { console.log(steps); return locals[1]; }
    else throw new Error('bad opcode ' + op);
  }
}
const n = +process.argv[2];
const code = new Int32Array([
  1, 0, 9, 46,
  1, 1, 0, 31, 5, 1, 0, 3,
  1, 0, 0, 3, 8, 6,
  0, 16777215, 7, 11, 2, 1,
  0, 1, 7, 1, 2, 3, 2, 2,
  1, 0, 0, 1, 4, 2, 0,
  10, 0,
  12, 12, 12, 12, 12,
  12,
]);
console.log(run(code, n));
