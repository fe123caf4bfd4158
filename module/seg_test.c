// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the segment checks of a data access khv performs for the guest
 * (seg.c).
 */
#include <kunit/test.h>
#include <asm/trapnr.h>

#include "khv.h"

/* A present, usable segment: @type, @limit, base 0x10000, 32-bit. */
static struct khv_segment seg(u8 type, u32 limit)
{
	return (struct khv_segment){
		.base = 0x10000, .limit = limit, .type = type, .present = 1,
		.s = 1, .db = 1,
	};
}

static int lin(const struct khv_segment *s, unsigned int nr, unsigned int cpu,
	       u64 ea, unsigned int size, bool write, u64 *linear)
{
	*linear = 0;
	return khv_seg_linear(s, nr, cpu, ea, size, write, linear);
}

static void seg_protected_limit_and_type(struct kunit *test)
{
	struct khv_segment rw = seg(3, 0xfff), ro = seg(1, 0xfff);
	struct khv_segment code_r = seg(0xb, 0xfff), code_x = seg(9, 0xfff);
	u64 l;

	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_DS, KHV_CPU_PROT, 0xffc, 4, false,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, l, 0x10ffcULL);
	/* One byte past the limit: #GP(0), or #SS(0) through SS. */
	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_DS, KHV_CPU_PROT, 0xffd, 4, false,
				  &l), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_SS, KHV_CPU_PROT, 0x1000, 1, true,
				  &l), X86_TRAP_SS);
	/* Read-only data: reads only; code: readable code, never written. */
	KUNIT_EXPECT_EQ(test, lin(&ro, KHV_SEG_ES, KHV_CPU_PROT, 0, 1, false,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, lin(&ro, KHV_SEG_ES, KHV_CPU_PROT, 0, 1, true,
				  &l), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&code_r, KHV_SEG_CS, KHV_CPU_PROT, 0, 1, false,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, lin(&code_r, KHV_SEG_CS, KHV_CPU_PROT, 0, 1, true,
				  &l), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&code_x, KHV_SEG_CS, KHV_CPU_PROT, 0, 1, false,
				  &l), X86_TRAP_GP);
	/* A null (unusable) or not-present segment. */
	rw.unusable = 1;
	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_DS, KHV_CPU_PROT, 0, 1, false,
				  &l), X86_TRAP_GP);
	rw.unusable = 0;
	rw.present = 0;
	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_DS, KHV_CPU_PROT, 0, 1, false,
				  &l), X86_TRAP_GP);
	/* Linear addresses outside long mode are 32 bits. */
	rw = seg(3, 0xffffffff);
	rw.base = 0xfffff000;
	KUNIT_EXPECT_EQ(test, lin(&rw, KHV_SEG_DS, KHV_CPU_PROT, 0x2000, 4, true,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, l, 0x1000ULL);
}

/* SDM Vol. 3A 5.3: an expand-down segment holds the offsets above its limit. */
static void seg_expand_down(struct kunit *test)
{
	struct khv_segment down = seg(7, 0xfff);	/* data RW, expand-down */
	u64 l;

	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0xfff, 1,
				  false, &l), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0x1000, 4,
				  true, &l), 0);
	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0xfffffffc, 4,
				  false, &l), 0);
	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0xfffffffd, 4,
				  false, &l), X86_TRAP_GP);
	/* With B clear the top is 0xffff. */
	down.db = 0;
	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0xfffe, 2,
				  false, &l), 0);
	KUNIT_EXPECT_EQ(test, lin(&down, KHV_SEG_DS, KHV_CPU_PROT, 0xffff, 2,
				  false, &l), X86_TRAP_GP);
}

static void seg_real_mode_limit_no_types(struct kunit *test)
{
	struct khv_segment rm = seg(1, 0xffff);	/* type ignored */
	u64 l;

	rm.base = 0x20000;
	rm.unusable = 1;
	KUNIT_EXPECT_EQ(test, lin(&rm, KHV_SEG_ES, KHV_CPU_REAL, 0x10, 2, true,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, l, 0x20010ULL);
	/* A word at 0xffff runs past the limit. */
	KUNIT_EXPECT_EQ(test, lin(&rm, KHV_SEG_ES, KHV_CPU_REAL, 0xffff, 2, true,
				  &l), X86_TRAP_GP);
}

static void seg_64bit_bases_and_canonical(struct kunit *test)
{
	struct khv_segment s = seg(1, 0);	/* neither type nor limit apply */
	u64 l;

	s.unusable = 1;
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_DS, KHV_CPU_64, 0x123456789ULL, 4,
				  true, &l), 0);
	KUNIT_EXPECT_EQ(test, l, 0x123456789ULL);
	/* Only FS and GS have a base. */
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_FS, KHV_CPU_64, 0x10, 1, false,
				  &l), 0);
	KUNIT_EXPECT_EQ(test, l, 0x10010ULL);
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_DS, KHV_CPU_64,
				  0x0000800000000000ULL, 1, false, &l),
			X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_DS, KHV_CPU_64,
				  0x00007ffffffffffeULL, 4, false, &l),
			X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_SS, KHV_CPU_64,
				  0x0000800000000000ULL, 1, false, &l),
			X86_TRAP_SS);
	KUNIT_EXPECT_EQ(test, lin(&s, KHV_SEG_ES, KHV_CPU_64,
				  0xffff800000000000ULL, 1, true, &l), 0);
}

static struct kunit_case khv_seg_cases[] = {
	KUNIT_CASE(seg_protected_limit_and_type),
	KUNIT_CASE(seg_expand_down),
	KUNIT_CASE(seg_real_mode_limit_no_types),
	KUNIT_CASE(seg_64bit_bases_and_canonical),
	{}
};

static struct kunit_suite khv_seg_suite = {
	.name = "khv_seg",
	.test_cases = khv_seg_cases,
};

kunit_test_suite(khv_seg_suite);
