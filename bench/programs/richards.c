/* Richards: Martin Richards' task-scheduler simulation in the shape of the
 * Octane/V8 richards.js. Tasks are structs that hold their behaviour as a function
 * pointer (`run`), and the scheduler dispatches every step through it (see
 * richards.tier). N runs (idle count 1000 each); every run must give queue count
 * 2322 and hold count 928. Each run's packets and tasks are freed at its end.
 * Build: gcc -O2 -o richards richards.c */
#include <stdio.h>
#include <stdlib.h>

#define COUNT 1000
#define DATA_SIZE 4

enum { ID_IDLE, ID_WORKER, ID_HANDLER_A, ID_HANDLER_B, ID_DEVICE_A, ID_DEVICE_B, NUMBER_OF_IDS };
enum { KIND_DEVICE, KIND_WORK };
enum {
    STATE_RUNNING = 0, STATE_RUNNABLE = 1, STATE_SUSPENDED = 2, STATE_HELD = 4,
    STATE_SUSPENDED_RUNNABLE = 3, STATE_NOT_HELD = ~4
};

typedef struct Packet {
    struct Packet *link;
    int id, kind, a1;
    int a2[DATA_SIZE];
} Packet;

struct Scheduler;

typedef struct Task {
    struct Task *link;
    int id, priority;
    Packet *queue;
    int state;
    struct Task *(*run)(struct Scheduler *, struct Task *, Packet *);
    int v1, v2;
    Packet *p1, *p2;
} Task;

typedef struct Scheduler {
    int queue_count, hold_count;
    Task *blocks[NUMBER_OF_IDS];
    Task *list, *current;
    int current_id;
    /* Everything allocated in this run, freed at its end. */
    Packet *packets[16];
    int npackets;
} Scheduler;

static void *alloc(size_t size) {
    void *p = calloc(1, size);
    if (p == NULL) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* ---- packets ---- */
static Packet *new_packet(Scheduler *s, Packet *link, int id, int kind) {
    Packet *p = alloc(sizeof(Packet));
    p->link = link;
    p->id = id;
    p->kind = kind;
    s->packets[s->npackets++] = p;
    return p;
}

static Packet *add_to(Packet *packet, Packet *queue) {
    packet->link = NULL;
    if (queue == NULL) return packet;
    Packet *next = queue;
    while (next->link != NULL) next = next->link;
    next->link = packet;
    return queue;
}

/* ---- the scheduler ---- */
static void add_task(Scheduler *s, int id, int priority, Packet *queue,
                     Task *(*run)(Scheduler *, Task *, Packet *), int v1, int v2) {
    Task *t = alloc(sizeof(Task));
    t->link = s->list;
    t->id = id;
    t->priority = priority;
    t->queue = queue;
    t->state = queue == NULL ? STATE_SUSPENDED : STATE_SUSPENDED_RUNNABLE;
    t->run = run;
    t->v1 = v1;
    t->v2 = v2;
    s->list = t;
    s->current = t;
    s->blocks[id] = t;
}

static Task *run_task(Scheduler *s, Task *t) {
    Packet *packet = NULL;
    if (t->state == STATE_SUSPENDED_RUNNABLE) {
        packet = t->queue;
        t->queue = packet->link;
        t->state = t->queue == NULL ? STATE_RUNNING : STATE_RUNNABLE;
    }
    return t->run(s, t, packet);
}

static void schedule(Scheduler *s) {
    s->current = s->list;
    while (s->current != NULL) {
        Task *t = s->current;
        if ((t->state & STATE_HELD) != 0 || t->state == STATE_SUSPENDED) {
            s->current = t->link;
        } else {
            s->current_id = t->id;
            s->current = run_task(s, t);
        }
    }
}

static Task *release(Scheduler *s, int id) {
    Task *t = s->blocks[id];
    if (t == NULL) return t;
    t->state = t->state & STATE_NOT_HELD;
    if (t->priority > s->current->priority) return t;
    return s->current;
}

static Task *hold_current(Scheduler *s) {
    s->hold_count++;
    s->current->state = s->current->state | STATE_HELD;
    return s->current->link;
}

static Task *suspend_current(Scheduler *s) {
    s->current->state = s->current->state | STATE_SUSPENDED;
    return s->current;
}

static Task *check_priority_add(Task *t, Task *current, Packet *packet) {
    if (t->queue == NULL) {
        t->queue = packet;
        t->state = t->state | STATE_RUNNABLE;
        if (t->priority > current->priority) return t;
    } else {
        t->queue = add_to(packet, t->queue);
    }
    return current;
}

static Task *queue_packet(Scheduler *s, Packet *packet) {
    Task *t = s->blocks[packet->id];
    if (t == NULL) return t;
    s->queue_count++;
    packet->link = NULL;
    packet->id = s->current_id;
    return check_priority_add(t, s->current, packet);
}

/* ---- the four kinds of task ---- */
static Task *idle_run(Scheduler *s, Task *t, Packet *packet) {
    (void)packet;
    t->v2--;
    if (t->v2 == 0) return hold_current(s);
    if ((t->v1 & 1) == 0) {
        t->v1 = t->v1 >> 1;
        return release(s, ID_DEVICE_A);
    }
    t->v1 = (t->v1 >> 1) ^ 0xD008;
    return release(s, ID_DEVICE_B);
}

static Task *device_run(Scheduler *s, Task *t, Packet *packet) {
    if (packet == NULL) {
        if (t->p1 == NULL) return suspend_current(s);
        Packet *v = t->p1;
        t->p1 = NULL;
        return queue_packet(s, v);
    }
    t->p1 = packet;
    return hold_current(s);
}

static Task *worker_run(Scheduler *s, Task *t, Packet *packet) {
    if (packet == NULL) return suspend_current(s);
    t->v1 = t->v1 == ID_HANDLER_A ? ID_HANDLER_B : ID_HANDLER_A;
    packet->id = t->v1;
    packet->a1 = 0;
    for (int i = 0; i < DATA_SIZE; i++) {
        t->v2++;
        if (t->v2 > 26) t->v2 = 1;
        packet->a2[i] = t->v2;
    }
    return queue_packet(s, packet);
}

static Task *handler_run(Scheduler *s, Task *t, Packet *packet) {
    if (packet != NULL) {
        if (packet->kind == KIND_WORK) t->p1 = add_to(packet, t->p1);
        else t->p2 = add_to(packet, t->p2);
    }
    if (t->p1 != NULL) {
        int count = t->p1->a1;
        if (count < DATA_SIZE) {
            if (t->p2 != NULL) {
                Packet *v = t->p2;
                t->p2 = t->p2->link;
                v->a1 = t->p1->a2[count];
                t->p1->a1 = count + 1;
                return queue_packet(s, v);
            }
        } else {
            Packet *v = t->p1;
            t->p1 = t->p1->link;
            return queue_packet(s, v);
        }
    }
    return suspend_current(s);
}

/* ---- one run ---- */
static void run_richards(int *queue_count, int *hold_count) {
    Scheduler *s = alloc(sizeof(Scheduler));
    add_task(s, ID_IDLE, 0, NULL, idle_run, 1, COUNT);
    s->current->state = STATE_RUNNING;

    Packet *q = new_packet(s, NULL, ID_WORKER, KIND_WORK);
    q = new_packet(s, q, ID_WORKER, KIND_WORK);
    add_task(s, ID_WORKER, 1000, q, worker_run, ID_HANDLER_A, 0);

    q = new_packet(s, NULL, ID_DEVICE_A, KIND_DEVICE);
    q = new_packet(s, q, ID_DEVICE_A, KIND_DEVICE);
    q = new_packet(s, q, ID_DEVICE_A, KIND_DEVICE);
    add_task(s, ID_HANDLER_A, 2000, q, handler_run, 0, 0);

    q = new_packet(s, NULL, ID_DEVICE_B, KIND_DEVICE);
    q = new_packet(s, q, ID_DEVICE_B, KIND_DEVICE);
    q = new_packet(s, q, ID_DEVICE_B, KIND_DEVICE);
    add_task(s, ID_HANDLER_B, 3000, q, handler_run, 0, 0);

    add_task(s, ID_DEVICE_A, 4000, NULL, device_run, 0, 0);
    add_task(s, ID_DEVICE_B, 5000, NULL, device_run, 0, 0);

    schedule(s);
    *queue_count = s->queue_count;
    *hold_count = s->hold_count;
    for (int i = 0; i < s->npackets; i++) free(s->packets[i]);
    for (int i = 0; i < NUMBER_OF_IDS; i++) free(s->blocks[i]);
    free(s);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    long queued = 0, held = 0;
    for (int i = 0; i < n; i++) {
        int q, h;
        run_richards(&q, &h);
        if (q != 2322 || h != 928) {
            fprintf(stderr, "run %d: queue count %d, hold count %d\n", i, q, h);
            return 1;
        }
        queued += q;
        held += h;
    }
    printf("richards: %d runs, queue count %ld, hold count %ld\n", n, queued, held);
    return 0;
}
