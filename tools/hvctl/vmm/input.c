// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvctl run's standard input on COM1, read by a thread of its own, and the
 * signals that end a run.
 *
 * A terminal is put in raw mode for the run, as QEMU's -serial mon:stdio
 * does: no echo, no line editing, no signal keys (Ctrl-C goes to the
 * guest), output processing kept; Ctrl-A x quits (escape.h). It is given
 * back as it was however the run ends: at the guest's end, on Ctrl-A x, on
 * SIGTERM, SIGINT, SIGHUP or SIGQUIT (the run ends with 128 + the signal's
 * number), when the VM is destroyed, and on a crash. Anything else (a pipe,
 * a file, /dev/null) is read as a plain byte stream, as QEMU's
 * -serial stdio does, until its end, without Ctrl-A commands.
 *
 * Only what COM1's receiver takes is read (uart_rx_room()): from a guest
 * that does not read, the rest stays where it is, in the pipe or the
 * terminal, and hvctl holds 16 bytes at most. With the receiver full the
 * thread waits for a vCPU's access to COM1 (pc_input_wake()), which kicks
 * it. The thread blocks every signal but inside ppoll(), which takes the
 * kick and the ending signals atomically, so that none is lost; it makes
 * no system call but read(0), ppoll() and the terminal's TCGETS/TCSETS,
 * and opens nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "escape.h"
#include "pc.h"

#define JOIN_WAIT_S	1

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static const int end_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT };
static const char *const end_names[] = { "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT" };
/* The terminal is given back before their default action. */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGPIPE };

static struct termios saved;
static atomic_int raw, end_signal;	/* lock-free: safe in a signal handler */
static struct escape esc;

static void tty_restore(void)
{
	if (raw && !tcsetattr(STDIN_FILENO, TCSANOW, &saved))
		raw = 0;
}

static void on_end_signal(int sig)
{
	end_signal = sig;
}

/* Once (SA_RESETHAND): the default action follows, with the terminal as it was. */
static void on_crash(int sig)
{
	(void)sig;
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

/* As QEMU's qemu_chr_set_echo_stdio() with signal=off (mon:stdio). */
static int tty_raw(void)
{
	struct sigaction sa = { .sa_handler = on_crash, .sa_flags = SA_RESETHAND };
	struct termios t;
	unsigned int i;

	if (tcgetattr(STDIN_FILENO, &saved))
		return 0;			/* no terminal: a byte stream */
	t = saved;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_oflag |= OPOST;
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
	t.c_cflag &= ~(CSIZE | PARENB);
	t.c_cflag |= CS8;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(crash_signals); i++)
		sigaction(crash_signals[i], &sa, NULL);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t))
		return vmm_fail("standard input: raw mode");
	raw = 1;
	return 0;
}

static void end_by_signal(struct pc *pc, int sig)
{
	const char *name = "a signal";
	char msg[64];
	unsigned int i;

	tty_restore();
	for (i = 0; i < ARRAY_SIZE(end_signals); i++)
		if (end_signals[i] == sig)
			name = end_names[i];
	snprintf(msg, sizeof(msg), "ended by %s", name);
	pc_end(pc, 128 + sig, PC_INPUT, msg);
}

static void esc_help(void)
{
	fprintf(stderr,
		"C-a h    print this help\n"
		"C-a x    exit hvctl run (status 0)\n"
		"C-a C-a  send C-a to the guest\n");
}

/* Through the Ctrl-A commands into COM1: false after Ctrl-A x. */
static bool input_feed(struct pc *pc, const uint8_t *buf, unsigned int n)
{
	uint8_t out[UART_FIFO];
	unsigned int i, nout = 0;
	bool quit = false;

	for (i = 0; i < n && nout < sizeof(out) && !quit; i++) {
		switch (esc_feed(&esc, buf[i], &out[nout])) {
		case ESC_BYTE:
			nout++;
			break;
		case ESC_QUIT:
			quit = true;
			break;
		case ESC_HELP:
			esc_help();
			break;
		case ESC_NONE:
			break;
		}
	}
	if (nout)
		pc_com1_input(pc, out, nout);
	if (quit)
		pc_end(pc, 0, PC_INPUT, "quit (Ctrl-A x)");
	return !quit;
}

static void *input_thread(void *arg)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	uint8_t buf[UART_FIFO];
	struct pc *pc = arg;
	bool reading = true;
	unsigned int room, i;
	sigset_t wait_set;
	ssize_t n;

	/* Inside ppoll() only: the kick and the ending signals. */
	sigfillset(&wait_set);
	sigdelset(&wait_set, KICK_SIGNAL);
	for (i = 0; i < ARRAY_SIZE(end_signals); i++)
		sigdelset(&wait_set, end_signals[i]);
	while (!atomic_load(&pc->done)) {
		pthread_mutex_lock(&pc->lock);
		room = reading ? uart_rx_room(&pc->d.uart) : 0;
		pc->input_waits = reading && !room;
		pthread_mutex_unlock(&pc->lock);
		n = ppoll(&pfd, room ? 1 : 0, NULL, &wait_set);
		if (end_signal) {
			end_by_signal(pc, end_signal);
			break;
		}
		if (n <= 0 || atomic_load(&pc->done))
			continue;		/* kicked */
		n = pfd.revents & POLLNVAL ? 0 : read(STDIN_FILENO, buf, room);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno != EIO)	/* EIO: a terminal hung up */
			fprintf(stderr, "hvctl: run: standard input: %s: no more input\n",
				strerror(errno));
		if (n <= 0)
			reading = false;	/* its end: the guest runs on */
		else if (atomic_load(&pc->done) || !input_feed(pc, buf, n))
			break;
	}
	pthread_mutex_lock(&pc->lock);
	pc->input_waits = false;		/* no more kicks for it */
	pthread_mutex_unlock(&pc->lock);
	return NULL;
}

int pc_input_start(struct pc *pc)
{
	struct sigaction sa = { .sa_handler = on_end_signal };	/* no SA_RESTART */
	sigset_t all, ends, old;
	unsigned int i;
	int err;

	/* Taken by the input thread alone: every other thread blocks them. */
	sigemptyset(&ends);
	for (i = 0; i < ARRAY_SIZE(end_signals); i++)
		sigaddset(&ends, end_signals[i]);
	pthread_sigmask(SIG_BLOCK, &ends, NULL);
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(end_signals); i++)
		if (sigaction(end_signals[i], &sa, NULL))
			return vmm_fail("sigaction");
	if (tty_raw())
		return 1;
	esc_init(&esc, raw);
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&pc->input, NULL, input_thread, pc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		tty_restore();
		errno = err;
		return vmm_fail("pthread_create");
	}
	pc->has_input = true;
	return 0;
}

/*
 * The thread is kicked and waited for a while: it may be blocked in a
 * read() of input that someone else took between its ppoll() and its
 * read(). Then it is left behind; it feeds nothing once the run is done.
 */
void pc_input_stop(struct pc *pc)
{
	struct timespec ts;

	if (pc->has_input) {
		pthread_kill(pc->input, KICK_SIGNAL);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += JOIN_WAIT_S;
		pthread_timedjoin_np(pc->input, NULL, &ts);
	}
	tty_restore();
}

void pc_input_wake(struct pc *pc)
{
	if (pc->input_waits && uart_rx_room(&pc->d.uart)) {
		pc->input_waits = false;
		pthread_kill(pc->input, KICK_SIGNAL);
	}
}
