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

type Ctx<L> = { kind: 'loop' | 'follow'; block: number; label: L }[];

export function structure<L>(cfg: Cfg, sink: StructuredSink<L>): void {
  new Structurer(cfg, sink).doTree(cfg.entry, []);
}

class Structurer<L> {
  constructor(private readonly cfg: Cfg, private readonly sink: StructuredSink<L>) {}

  doTree(x: number, ctx: Ctx<L>): void {
    const b = this.cfg.blocks[x]!;
    const merges = b.children.filter((c) => this.cfg.blocks[c]!.isMerge).sort((p, q) => q - p);
    if (b.isLoopHeader) {
      const label = this.sink.openLoop(b);
      this.nodeWithin(b, merges, [{ kind: 'loop', block: x, label }, ...ctx]);
      this.sink.close();
    } else {
      this.nodeWithin(b, merges, ctx);
    }
  }

  private nodeWithin(b: Block, merges: number[], ctx: Ctx<L>): void {
    if (merges.length > 0) {
      const [y, ...rest] = merges as [number, ...number[]];
      const label = this.sink.openBlock();
      this.nodeWithin(b, rest, [{ kind: 'follow', block: y, label }, ...ctx]);
      this.sink.close();
      this.doTree(y, ctx);
      return;
    }
    this.sink.body(b);
    switch (b.exit) {
      case Exit.GOTO: this.doBranch(b.id, b.succ[0]!, ctx); return;
      case Exit.RETURN: this.sink.terminate(b); return;
      case Exit.COND:
        this.sink.openIf(b);
        this.doBranch(b.id, b.succ[0]!, ctx);
        this.sink.openElse();
        this.doBranch(b.id, b.succ[1]!, ctx);
        this.sink.close();
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
    this.doTree(to, ctx);
  }

  private find(ctx: Ctx<L>, kind: 'loop' | 'follow', block: number): L {
    const e = ctx.find((c) => c.kind === kind && c.block === block);
    if (!e) throw new Error(`structuring: no enclosing ${kind} for block ${block}`);
    return e.label;
  }
}
