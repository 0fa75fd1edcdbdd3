/* runner_mpi.c — cells over MPI ranks; see the MPI part of pelab/runner.h.
 *
 * Protocol (rank 0 coordinates, ranks 1..R-1 compute). Every worker first
 * sends HELLO {config loaded?, config hash, OpenMP threads}; from then on it
 * always has exactly one message for rank 0 outstanding or is waiting for
 * rank 0's reply: rank 0 answers each HELLO or ROWS with WORK (sweep indices
 * of a batch of cells) or STOP. A worker computes a WORK batch (in parallel
 * over its cells when it has more than one, else with the kernels parallel
 * inside) and sends the batch's rows back in one ROWS message. Rank 0 puts
 * every row into the runner's sink as it arrives (flushed and fsynced), so
 * results.csv and manifest.json are exactly a single-process run's. Rank 0
 * polls (MPI_Iprobe, then a short sleep) instead of blocking in MPI_Recv: it
 * does not spin a core, and it sees SIGINT/SIGTERM at once. */
#include "pelab/run/runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PELAB_HAVE_MPI

#include <mpi.h>
#include <omp.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>

#include "pelab/base/mem.h"
#include "pelab/base/strbuf.h"


enum { TAG_HELLO = 1, TAG_WORK = 2, TAG_STOP = 3, TAG_ROWS = 4 };
enum { W_UNHEARD = 0, W_WAITING, W_BUSY, W_STOPPED };

static int g_started, g_rank, g_size = 1;
static int *g_state;       /* rank 0: per rank, W_*                         */
static int *g_threads;     /* rank 0: per rank, its OpenMP threads          */
static char *g_extra;      /* rank 0: the manifest's "mpi" member           */

int pelab_mpi_built(void) { return 1; }

/* Started by an MPI launcher? (Open MPI's mpirun, MPICH's hydra, srun with
 * PMI or PMIx, MVAPICH.) */
static int launched(void) {
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMI_RANK", "PMIX_RANK",
                                 "MPI_LOCALNRANKS", "MV2_COMM_WORLD_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v) return 1;
    }
    return 0;
}

void pelab_mpi_start(int *rank, int *size) {
    *rank = 0, *size = 1;
    if (!launched()) return;
    int provided = 0;
    MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    g_started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &g_size);
    *rank = g_rank, *size = g_size;
    if (g_rank == 0 && g_size > 1) {
        g_state = pelab_xcalloc((size_t)g_size, sizeof *g_state);
        g_threads = pelab_xcalloc((size_t)g_size, sizeof *g_threads);
        g_state[0] = W_STOPPED;
    }
}

void pelab_mpi_finish(void) {
    if (!g_started) return;
    free(g_state), free(g_threads), free(g_extra);
    g_state = NULL, g_threads = NULL, g_extra = NULL;
    MPI_Finalize();
    g_started = 0;
}

static void nap(void) {
    struct timespec ts = {0, 200000}; /* 0.2 ms */
    nanosleep(&ts, NULL);
}

/* Rank 0: wait (politely) for a message from src (MPI_ANY_SOURCE for any). */
static void poll_probe(int src, int tag, MPI_Status *st) {
    for (;;) {
        int flag = 0;
        MPI_Iprobe(src, tag, MPI_COMM_WORLD, &flag, st);
        if (flag) return;
        nap();
    }
}

/* ---- a worker ------------------------------------------------------------- */

static volatile sig_atomic_t g_worker_signal;
static void worker_on_signal(int sig) { g_worker_signal = sig; }

pelab_status pelab_mpi_serve(const pelab_job *job, int threads, pelab_error *err) {
    (void)err;
    if (threads > 0) omp_set_num_threads(threads);
    uint64_t hello[3] = {job ? 1u : 0u, job ? job->hash : 0u, (uint64_t)omp_get_max_threads()};
    /* SIGINT/SIGTERM (mpirun passes them on, scancel sends them): finish the
     * batch in hand and let rank 0, which got the signal too, say stop */
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = worker_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    MPI_Send(hello, 3, MPI_UINT64_T, 0, TAG_HELLO, MPI_COMM_WORLD);

    const size_t n_cells = job ? job->n_cells : 0;
    uint64_t *idx = NULL;
    pelab_strbuf *rows = NULL, *curves = NULL;
    size_t idx_cap = 0;
    for (;;) {
        MPI_Status st;
        MPI_Probe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
        if (st.MPI_TAG == TAG_STOP) {
            MPI_Recv(NULL, 0, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            break;
        }
        PELAB_ASSERT(st.MPI_TAG == TAG_WORK);
        int count = 0;
        MPI_Get_count(&st, MPI_UINT64_T, &count);
        PELAB_ASSERT(count >= 1);
        if ((size_t)count > idx_cap) {
            free(idx), free(rows), free(curves);
            idx_cap = (size_t)count;
            idx = pelab_xmalloc(idx_cap * sizeof *idx);
            rows = pelab_xcalloc(idx_cap, sizeof *rows);
            curves = pelab_xcalloc(idx_cap, sizeof *curves);
        }
        MPI_Recv(idx, count, MPI_UINT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int parallel_cells = count > 1;
#pragma omp parallel for schedule(dynamic, 1) if (parallel_cells)
        for (int i = 0; i < count; i++) {
            PELAB_ASSERT(idx[i] < n_cells);
            job->ops->run(job, (size_t)idx[i], &rows[i], &curves[i]);
        }
        /* the batch as one message: per cell its rows, NUL, its curves, NUL */
        pelab_strbuf msg = PELAB_STRBUF_INIT;
        for (int i = 0; i < count; i++) {
            pelab_strbuf_put(&msg, rows[i].data ? rows[i].data : "", rows[i].len);
            pelab_strbuf_putc(&msg, '\0');
            pelab_strbuf_put(&msg, curves[i].data ? curves[i].data : "", curves[i].len);
            pelab_strbuf_putc(&msg, '\0');
            pelab_strbuf_free(&rows[i]);
            pelab_strbuf_free(&curves[i]);
        }
        MPI_Send(msg.data, (int)msg.len, MPI_CHAR, 0, TAG_ROWS, MPI_COMM_WORLD);
        pelab_strbuf_free(&msg);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    free(idx), free(rows), free(curves);
    return PELAB_STATUS_OK;
}

/* ---- rank 0 ---------------------------------------------------------------- */

static void send_stop(int w) {
    MPI_Send(NULL, 0, MPI_BYTE, w, TAG_STOP, MPI_COMM_WORLD);
    g_state[w] = W_STOPPED;
}

/* Receive worker w's outstanding message; returns its bytes (malloc'ed, for
 * ROWS; NULL for HELLO, whose values go to *hello) and its length. */
static char *receive(int w, uint64_t hello[3], int *len) {
    MPI_Status st;
    poll_probe(w, MPI_ANY_TAG, &st);
    *len = 0;
    if (st.MPI_TAG == TAG_HELLO) {
        MPI_Recv(hello, 3, MPI_UINT64_T, w, TAG_HELLO, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        return NULL;
    }
    PELAB_ASSERT(st.MPI_TAG == TAG_ROWS);
    MPI_Get_count(&st, MPI_CHAR, len);
    char *buf = pelab_xmalloc((size_t)*len + 1);
    MPI_Recv(buf, *len, MPI_CHAR, w, TAG_ROWS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    buf[*len] = '\0';
    return buf;
}

void pelab_mpi_release(void) {
    if (!g_started || g_rank != 0 || !g_state) return;
    for (int w = 1; w < g_size; w++) {
        if (g_state[w] == W_UNHEARD || g_state[w] == W_BUSY) {
            uint64_t hello[3];
            int len = 0;
            free(receive(w, hello, &len));
            g_state[w] = W_WAITING;
        }
        if (g_state[w] == W_WAITING) send_stop(w);
    }
}

/* Put the cells of one ROWS message into the sink: per cell its rows, NUL,
 * its curves, NUL. */
static void put_rows(pelab_run_sink *sink, const char *buf, int len) {
    const char *p = buf, *end = buf + len;
    while (p < end) {
        const char *r_end = memchr(p, '\0', (size_t)(end - p));
        PELAB_ASSERT(r_end);
        const char *c = r_end + 1;
        const char *c_end = memchr(c, '\0', (size_t)(end - c));
        PELAB_ASSERT(c_end);
        pelab_run_sink_put(sink, p, (size_t)(r_end - p), c, (size_t)(c_end - c));
        p = c_end + 1;
    }
}

static pelab_status mpi_run(void *user, pelab_run_sink *sink, const pelab_job *job, const size_t *order,
                            size_t n_small, size_t n, pelab_error *err) {
    (void)user, (void)job, (void)err;
    int workers = g_size - 1;
    size_t next = 0;
    uint64_t *batch = pelab_xmalloc(4096 * sizeof *batch);
    for (;;) {
        int busy = 0;
        for (int w = 1; w < g_size; w++) {
            if (g_state[w] == W_WAITING) {
                if (pelab_run_sink_stopping(sink) || next >= n) {
                    send_stop(w);
                    continue;
                }
                if (pelab_run_sink_held(sink)) continue; /* the test hold: hand out nothing yet */
                /* small cells in batches (a share of what is left, at most
                 * four per worker thread); large cells one at a time */
                size_t k = 1;
                if (next < n_small) {
                    size_t left = n_small - next, share = (left + 2 * (size_t)workers - 1) / (2 * (size_t)workers);
                    size_t most = 4 * (size_t)(g_threads[w] > 0 ? g_threads[w] : 1);
                    if (most > 4096) most = 4096;
                    k = share < most ? share : most;
                    if (k < 1) k = 1;
                    if (k > left) k = left;
                }
                for (size_t i = 0; i < k; i++) batch[i] = order[next + i];
                next += k;
                MPI_Send(batch, (int)k, MPI_UINT64_T, w, TAG_WORK, MPI_COMM_WORLD);
                g_state[w] = W_BUSY;
            }
            if (g_state[w] == W_BUSY) busy++;
        }
        if (!busy && !pelab_run_sink_held(sink)) break;
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_ROWS, MPI_COMM_WORLD, &flag, &st);
        if (!flag) {
            nap();
            continue;
        }
        int w = st.MPI_SOURCE, len = 0;
        uint64_t hello[3];
        char *buf = receive(w, hello, &len);
        PELAB_ASSERT(buf);
        put_rows(sink, buf, len);
        free(buf);
        g_state[w] = W_WAITING;
    }
    free(batch);
    return PELAB_STATUS_OK;
}

pelab_status pelab_mpi_executor(pelab_run_executor *ex, const pelab_job *job, pelab_error *err) {
    PELAB_ASSERT(g_started && g_rank == 0 && g_size > 1);
    memset(ex, 0, sizeof *ex);
    pelab_status s = PELAB_STATUS_OK;
    int total_threads = 0;
    for (int w = 1; w < g_size; w++) {
        if (g_state[w] != W_UNHEARD) continue;
        uint64_t hello[3] = {0, 0, 0};
        int len = 0;
        char *buf = receive(w, hello, &len);
        PELAB_ASSERT(!buf);
        g_state[w] = W_WAITING;
        g_threads[w] = (int)hello[2];
        total_threads += g_threads[w];
        if (s) continue;
        if (!hello[0])
            s = pelab_error_set(err, PELAB_STATUS_RUN, "MPI rank %d could not load %s (see its message)", w,
                                job->path);
        else if (hello[1] != job->hash)
            s = pelab_error_set(err, PELAB_STATUS_RUN,
                                "MPI rank %d loaded %s with config hash %016llx, rank 0 with %016llx: "
                                "is it the same file on every node?",
                                w, job->path, (unsigned long long)hello[1], (unsigned long long)job->hash);
    }
    if (s) return s;
    size_t len = 128 + 12 * (size_t)g_size;
    free(g_extra);
    g_extra = pelab_xmalloc(len);
    int k = snprintf(g_extra, len, "{\"ranks\": %d, \"coordinator\": 0, \"worker_threads\": [", g_size);
    for (int w = 1; w < g_size; w++)
        k += snprintf(g_extra + k, len - (size_t)k, "%s%d", w > 1 ? ", " : "", g_threads[w]);
    snprintf(g_extra + k, len - (size_t)k, "]}");
    ex->run = mpi_run;
    ex->user = NULL;
    ex->threads = total_threads;
    ex->manifest_mpi = g_extra;
    return PELAB_STATUS_OK;
}

#else /* built without MPI: a single process */

int pelab_mpi_built(void) { return 0; }

void pelab_mpi_start(int *rank, int *size) { *rank = 0, *size = 1; }

pelab_status pelab_mpi_serve(const pelab_job *job, int threads, pelab_error *err) {
    (void)job, (void)threads;
    return pelab_error_set(err, PELAB_STATUS_RUN, "this pelab was built without MPI");
}

pelab_status pelab_mpi_executor(pelab_run_executor *ex, const pelab_job *job, pelab_error *err) {
    (void)ex, (void)job;
    return pelab_error_set(err, PELAB_STATUS_RUN, "this pelab was built without MPI");
}

void pelab_mpi_release(void) {}

void pelab_mpi_finish(void) {}

#endif
