// The Computer Language Benchmarks Game: binary-trees (sequential version).
// Allocates many short-lived perfect binary trees next to one long-lived tree:
// a test of the allocator and the garbage collector. Plain objects (a class),
// left to V8's generational collector.
//   N = max depth (argv[2], default 16; at least minDepth + 2 = 6)
//   a stretch tree of depth N + 1, built, checked and dropped;
//   a long-lived tree of depth N, kept until the end;
//   for d = 4, 6, ..., N: 2^(N - d + 4) trees of depth d, each built, checked, dropped.
class TreeNode {
  constructor(left, right) {
    this.left = left;
    this.right = right;
  }
}

function bottomUpTree(depth) {
  return depth > 0
    ? new TreeNode(bottomUpTree(depth - 1), bottomUpTree(depth - 1))
    : new TreeNode(null, null);
}

// Number of nodes in the tree.
function itemCheck(node) {
  if (node.left === null) return 1;
  return 1 + itemCheck(node.left) + itemCheck(node.right);
}

const n = process.argv.length > 2 ? +process.argv[2] : 16;
const minDepth = 4;
const maxDepth = Math.max(minDepth + 2, n);

const out = [];
const stretchDepth = maxDepth + 1;
out.push(`stretch tree of depth ${stretchDepth}\t check: ${itemCheck(bottomUpTree(stretchDepth))}`);

const longLived = bottomUpTree(maxDepth);

for (let depth = minDepth; depth <= maxDepth; depth += 2) {
  const iterations = 1 << (maxDepth - depth + minDepth);
  let check = 0;
  for (let i = 0; i < iterations; i++) {
    check += itemCheck(bottomUpTree(depth));
  }
  out.push(`${iterations}\t trees of depth ${depth}\t check: ${check}`);
}

out.push(`long lived tree of depth ${maxDepth}\t check: ${itemCheck(longLived)}`);
console.log(out.join('\n'));
