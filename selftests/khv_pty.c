// SPDX-License-Identifier: GPL-2.0-only
/*
 * khv_pty: run a command on a pseudo-terminal of its own, its controlling
 * terminal and its standard input, output and error, for the tests of
 * hvctl run's terminal (hvctl_scenario.sh). What the command writes is
 * copied to our standard output. Steps, in order: -w TEXT waits until the
 * output holds TEXT (after the previous match); then -i INPUT types INPUT
 * (with \n, \r, \\ and \NNN octal escapes) and -k SIGNAL (a number) sends
 * the signal. When TEXT is seen, the terminal's modes are reported on
 * standard error ("khv_pty: raw" when echo, canonical input and signal
 * keys are off); at the command's end, whether they are as before it ran
 * ("khv_pty: modes restored"). The exit status is the command's (128 + the
 * signal that killed it), 124 if it is still running after -t SECONDS
 * (default 120; it is killed), 125 on our own failure.
 *
 *   khv_pty [-t SECONDS] [-w TEXT] [-i INPUT] [-k SIGNAL] ... -- CMD [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_STEPS	16
#define OUT_MAX		(1 << 20)

struct step {
	char kind;		/* 'w', 'i' or 'k' */
	const char *arg;
};

static char out[OUT_MAX];
static size_t out_len, seen;	/* seen: where the next -w searches from */

static int fail(const char *what)
{
	fprintf(stderr, "khv_pty: %s: %s\n", what, strerror(errno));
	return 125;
}

/* \n \r \\ \NNN (octal) in place; the length. */
static size_t unescape(char *s)
{
	char *d = s, *p = s;
	int n, v;

	while (*p) {
		if (*p != '\\' || !p[1]) {
			*d++ = *p++;
			continue;
		}
		p++;
		if (*p == 'n' || *p == 'r') {
			*d++ = *p == 'n' ? '\n' : '\r';
			p++;
		} else if (*p >= '0' && *p <= '7') {
			for (v = 0, n = 0; n < 3 && *p >= '0' && *p <= '7'; n++)
				v = v * 8 + *p++ - '0';
			*d++ = v;
		} else {
			*d++ = *p++;
		}
	}
	return d - s;
}

static bool same_modes(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_lflag == b->c_lflag && a->c_cflag == b->c_cflag &&
	       a->c_cc[VMIN] == b->c_cc[VMIN] && a->c_cc[VTIME] == b->c_cc[VTIME];
}

static void say_modes(int fd, const char *when)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return;
	fprintf(stderr, "khv_pty: %s: %s (lflag %#x, iflag %#x)\n", when,
		t.c_lflag & (ECHO | ICANON | ISIG) ? "cooked" : "raw",
		(unsigned int)t.c_lflag, (unsigned int)t.c_iflag);
}

/* The command, in a new session whose controlling terminal is the slave. */
static pid_t start(const char *slave, char **argv)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	setsid();
	fd = open(slave, O_RDWR);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(125);
	if (fd > 2)
		close(fd);
	execvp(argv[0], argv);
	_exit(127);
}

/* What the master has, copied out and kept; false at its end. */
static bool drain(int master)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));

	if (n <= 0)
		return n < 0 && errno == EINTR;
	fwrite(buf, 1, n, stdout);
	fflush(stdout);
	if (out_len + n > OUT_MAX)
		n = OUT_MAX - out_len;
	memcpy(out + out_len, buf, n);
	out_len += n;
	return true;
}

/* The steps from *next on, as far as the output allows. */
static int advance(int master, pid_t pid, struct step *steps, int nsteps, int *next)
{
	struct step *s;
	char *hit;
	size_t len;

	for (; *next < nsteps; (*next)++) {
		s = &steps[*next];
		switch (s->kind) {
		case 'w':
			hit = memmem(out + seen, out_len - seen, s->arg, strlen(s->arg));
			if (!hit)
				return 0;
			seen = hit - out + strlen(s->arg);
			say_modes(master, s->arg);
			break;
		case 'i':
			len = unescape((char *)s->arg);
			if (write(master, s->arg, len) != (ssize_t)len)
				return fail("write");
			break;
		case 'k':
			kill(pid, atoi(s->arg));
			break;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct step steps[MAX_STEPS];
	int c, master, slave, nsteps = 0, next = 0, status, timeout = 120, r;
	struct termios before, after;
	struct pollfd pfd;
	bool exited = false;
	time_t end;
	pid_t pid;

	while ((c = getopt(argc, argv, "+t:w:i:k:")) != -1) {
		if (c == 't') {
			timeout = atoi(optarg);
		} else if (c != '?' && nsteps < MAX_STEPS) {
			steps[nsteps++] = (struct step){ c, optarg };
		} else {
			fprintf(stderr, "usage: khv_pty [-t S] [-w TEXT] [-i INPUT] [-k SIG] ... -- CMD\n");
			return 125;
		}
	}
	if (optind >= argc)
		return 125;
	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master))
		return fail("a pseudo-terminal");
	/* Ours too: its modes outlive the command's session, for the check. */
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &before))
		return fail(ptsname(master));
	pid = start(ptsname(master), argv + optind);
	if (pid < 0)
		return fail("fork");
	pfd = (struct pollfd){ .fd = master, .events = POLLIN };
	end = time(NULL) + timeout;
	while (!exited && time(NULL) < end) {
		if (poll(&pfd, 1, 100) > 0)
			drain(master);
		r = advance(master, pid, steps, nsteps, &next);
		if (r)
			return r;
		exited = waitpid(pid, &status, WNOHANG) == pid;
	}
	if (!exited) {
		fprintf(stderr, "khv_pty: still running after %d s: killed\n", timeout);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	while (poll(&pfd, 1, 0) > 0 && drain(master))
		;
	if (next < nsteps)
		fprintf(stderr, "khv_pty: step %d of %d not reached\n", next + 1, nsteps);
	if (tcgetattr(slave, &after))
		return fail("tcgetattr");
	fprintf(stderr, "khv_pty: modes %s\n", same_modes(&before, &after) ? "restored" : "changed");
	if (!exited)
		return 124;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
