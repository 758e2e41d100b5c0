// Structured control flow from a reducible CFG, for backends without goto.
//
// Norman Ramsey's algorithm ("Beyond Relooper", ICFP 2022), driven by the
// dominator tree. For a block X:
//   - if X is a loop header, its code is wrapped in `loop` (backward branches to X
//     become `br` to that loop);
//   - each dominator-tree child of X that is a merge node (two or more forward
//     in-edges) gets a `block` around X's code, followed by that child's code, so
//     forward branches to it become `br` out of the block; children are nested with
//     the highest reverse-postorder number outermost;
//   - any other forward branch goes to a child with one way in: its code is placed
//     right there.
// The sink receives a well-nested sequence of constructs; it emits instructions.

import { Exit, type Block, type Cfg } from './cfg.js';

export interface StructuredSink<L> {
  /** The block's straight-line code, terminator excluded (but conditional
   *  terminators' side effects, like FORLOOP's increment, included). */
  body(b: Block): void;
  /** Emit a RETURN-exit block's terminator (return, trap). */
  terminate(b: Block): void;
  /** Push the condition of b's COND terminator (true: go to succ[0]) and open `if`. */
  openIf(b: Block): void;
  openElse(): void;
  openBlock(): L;
  /** Open the loop whose header is b. */
  openLoop(b: Block): L;
  close(): void;
  br(label: L): void;
  /** Before the code of a branch from block `from` to block `to` (a br, or
   *  to's code placed there): code only that edge runs. */
  edge?(from: number, to: number): void;
}

/** The enclosing constructs a branch may target, innermost first (a list
 *  shared by the nested ones: entering a construct adds one cell). */
type Ctx<L> = { kind: 'loop' | 'follow'; block: number; label: L; outer: Ctx<L> } | null;

/** What is left to emit, in order (the structurer's explicit stack). */
type Step<L> =
  | { k: 'tree'; x: number; ctx: Ctx<L> }
  | { k: 'node'; b: Block; merges: number[]; ctx: Ctx<L> }
  | { k: 'branch'; from: number; to: number; ctx: Ctx<L> }
  | { k: 'else' }
  | { k: 'close' };

export function structure<L>(cfg: Cfg, sink: StructuredSink<L>): void {
  new Structurer(cfg, sink).run(cfg.entry);
}

// The algorithm recurses along the dominator tree, as deep as it is: 5,000
// `if`s in a row, or an `else if` chain of 3,000, ran out of JavaScript stack
// (and the function stayed interpreted). So the recursion is kept on an
// explicit stack of steps: a step emits what comes first and pushes the rest
// in reverse order.
class Structurer<L> {
  private readonly todo: Step<L>[] = [];

  constructor(private readonly cfg: Cfg, private readonly sink: StructuredSink<L>) {}

  run(entry: number): void {
    this.todo.push({ k: 'tree', x: entry, ctx: null });
    for (let step = this.todo.pop(); step !== undefined; step = this.todo.pop()) {
      switch (step.k) {
        case 'tree': this.doTree(step.x, step.ctx); break;
        case 'node': this.nodeWithin(step.b, step.merges, step.ctx); break;
        case 'branch': this.doBranch(step.from, step.to, step.ctx); break;
        case 'else': this.sink.openElse(); break;
        case 'close': this.sink.close(); break;
      }
    }
  }

  /** Push steps to run in the order given. */
  private then(...steps: Step<L>[]): void {
    for (let i = steps.length - 1; i >= 0; i--) this.todo.push(steps[i]!);
  }

  private doTree(x: number, ctx: Ctx<L>): void {
    const b = this.cfg.blocks[x]!;
    const merges = b.children.filter((c) => this.cfg.blocks[c]!.isMerge).sort((p, q) => q - p);
    if (b.isLoopHeader) {
      const label = this.sink.openLoop(b);
      this.then({ k: 'node', b, merges, ctx: { kind: 'loop', block: x, label, outer: ctx } }, { k: 'close' });
    } else {
      this.nodeWithin(b, merges, ctx);
    }
  }

  private nodeWithin(b: Block, merges: number[], ctx: Ctx<L>): void {
    if (merges.length > 0) {
      const [y, ...rest] = merges as [number, ...number[]];
      const label = this.sink.openBlock();
      this.then({ k: 'node', b, merges: rest, ctx: { kind: 'follow', block: y, label, outer: ctx } }, { k: 'close' }, { k: 'tree', x: y, ctx });
      return;
    }
    this.sink.body(b);
    switch (b.exit) {
      case Exit.GOTO: this.doBranch(b.id, b.succ[0]!, ctx); return;
      case Exit.RETURN: this.sink.terminate(b); return;
      case Exit.COND:
        this.sink.openIf(b);
        this.then({ k: 'branch', from: b.id, to: b.succ[0]!, ctx }, { k: 'else' }, { k: 'branch', from: b.id, to: b.succ[1]!, ctx }, { k: 'close' });
        return;
    }
  }

  /** A branch from `from` to `to`: continue a loop, leave a block, or inline `to`.
   *  The `if` that may enclose the branch needs no entry in the context: the sink's
   *  labels resolve depths themselves. */
  private doBranch(from: number, to: number, ctx: Ctx<L>): void {
    this.sink.edge?.(from, to);
    if (to <= from) return this.sink.br(this.find(ctx, 'loop', to));
    if (this.cfg.blocks[to]!.isMerge) return this.sink.br(this.find(ctx, 'follow', to));
    this.todo.push({ k: 'tree', x: to, ctx });
  }

  private find(ctx: Ctx<L>, kind: 'loop' | 'follow', block: number): L {
    for (let c = ctx; c !== null; c = c.outer) if (c.kind === kind && c.block === block) return c.label;
    throw new Error(`structuring: no enclosing ${kind} for block ${block}`);
  }
}
