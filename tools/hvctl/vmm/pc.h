/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The PC that vmm/loop.c runs, shared with vmm/input.c, which feeds COM1
 * from hvctl's standard input: the devices under one lock, a thread per
 * vCPU kicked out of KHV_RUN by KICK_SIGNAL, and the end of the run.
 */
#ifndef VMM_PC_H
#define VMM_PC_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "devices.h"
#include "vm.h"

#define KICK_SIGNAL	SIGALRM
#define PC_INPUT	(~0U)		/* pc_end()'s self: the input thread */

struct pc {
	struct vmm *m;
	pthread_mutex_t lock;		/* everything below but done and status */
	struct devices d;
	timer_t timer;
	uint64_t armed;			/* the timer's deadline, 0: none */
	bool held;			/* a vector acknowledged, not yet queued */
	uint8_t held_vec;
	bool warned_vector, warned_msi, warned_device_msi;
	bool input_waits;		/* for room in COM1's receiver */
	pthread_t threads[VMM_MAX_VCPUS];
	pthread_t input;
	bool has_input;
	atomic_bool done;
	atomic_int status;		/* hvctl's exit status once done */
};

uint64_t pc_now_ns(void);
/*
 * The end, once: the first status stays and its message, if any, is
 * printed ("hvctl: run: msg"); every other thread is kicked out. self:
 * the calling vCPU's id, or PC_INPUT.
 */
void pc_end(struct pc *pc, int status, unsigned int self, const char *msg);
/* Bytes from outside into COM1's receiver (at most uart_rx_room()), its line moved. */
void pc_com1_input(struct pc *pc, const uint8_t *buf, unsigned int n);

/*
 * vmm/input.c: standard input on COM1 for the run (a terminal in raw mode),
 * and the signals that end it; pc_input_stop() after the vCPUs' end gives
 * the terminal back. pc_input_wake() (pc->lock held), after a vCPU's
 * access to COM1: the input thread reads again if there is room now.
 */
int pc_input_start(struct pc *pc);
void pc_input_stop(struct pc *pc);
void pc_input_wake(struct pc *pc);

#endif /* VMM_PC_H */
