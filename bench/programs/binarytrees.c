/* The Computer Language Benchmarks Game: binary-trees (sequential version).
 * Allocates many short-lived perfect binary trees next to one long-lived tree.
 * Manual memory management: one malloc per node and one free per node (no pools,
 * no arenas), as the baseline for a garbage collector.
 *   N = max depth (argv[1], default 16; at least minDepth + 2 = 6)
 *   a stretch tree of depth N + 1, built, checked and freed;
 *   a long-lived tree of depth N, kept until the end;
 *   for d = 4, 6, ..., N: 2^(N - d + 4) trees of depth d, each built, checked, freed.
 * Build: gcc -O2 -o binarytrees binarytrees.c */
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left;
    struct Node *right;
} Node;

static Node *new_node(Node *left, Node *right) {
    Node *n = malloc(sizeof(Node));
    if (n == NULL) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    n->left = left;
    n->right = right;
    return n;
}

static Node *bottom_up_tree(int depth) {
    if (depth > 0) {
        Node *left = bottom_up_tree(depth - 1);
        Node *right = bottom_up_tree(depth - 1);
        return new_node(left, right);
    }
    return new_node(NULL, NULL);
}

/* Number of nodes in the tree. */
static int item_check(const Node *node) {
    if (node->left == NULL) return 1;
    return 1 + item_check(node->left) + item_check(node->right);
}

static void delete_tree(Node *node) {
    if (node->left != NULL) {
        delete_tree(node->left);
        delete_tree(node->right);
    }
    free(node);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 16;
    const int min_depth = 4;
    int max_depth = n < min_depth + 2 ? min_depth + 2 : n;

    int stretch_depth = max_depth + 1;
    Node *stretch = bottom_up_tree(stretch_depth);
    printf("stretch tree of depth %d\t check: %d\n", stretch_depth, item_check(stretch));
    delete_tree(stretch);

    Node *long_lived = bottom_up_tree(max_depth);

    for (int depth = min_depth; depth <= max_depth; depth += 2) {
        int iterations = 1 << (max_depth - depth + min_depth);
        int check = 0;
        for (int i = 0; i < iterations; i++) {
            Node *tree = bottom_up_tree(depth);
            check += item_check(tree);
            delete_tree(tree);
        }
        printf("%d\t trees of depth %d\t check: %d\n", iterations, depth, check);
    }

    printf("long lived tree of depth %d\t check: %d\n", max_depth, item_check(long_lived));
    delete_tree(long_lived);
    return 0;
}
