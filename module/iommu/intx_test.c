// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the vectors of a VM's forwarded INTx messages (intx.c), which a
 * guest's EOI looks up without a lock: a vector is in the map exactly while
 * some function's message has it, two functions may share one, and a
 * message that moves never takes a vector that keeps a user out of the
 * map.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>

#include "iommu.h"

static unsigned int intx_vec_count(const struct khv_intx_vectors *v)
{
	return bitmap_weight(v->map, KHV_APIC_VECTORS);
}

static void vector_in_map_while_used(struct kunit *test)
{
	struct khv_intx_vectors v = {};

	khv_intx_vec_get(&v, 0x46);
	KUNIT_EXPECT_TRUE(test, test_bit(0x46, v.map));
	KUNIT_EXPECT_EQ(test, intx_vec_count(&v), 1);
	khv_intx_vec_put(&v, 0x46);
	KUNIT_EXPECT_FALSE(test, test_bit(0x46, v.map));
	KUNIT_EXPECT_EQ(test, intx_vec_count(&v), 0);
	KUNIT_EXPECT_EQ(test, v.users[0x46], 0);
}

static void shared_vector_stays_until_its_last_user(struct kunit *test)
{
	struct khv_intx_vectors v = {};

	khv_intx_vec_get(&v, 0x50);
	khv_intx_vec_get(&v, 0x50);
	khv_intx_vec_put(&v, 0x50);
	KUNIT_EXPECT_TRUE(test, test_bit(0x50, v.map));
	khv_intx_vec_put(&v, 0x50);
	KUNIT_EXPECT_FALSE(test, test_bit(0x50, v.map));
	/* The last vectors of the range, bit 255 included. */
	khv_intx_vec_get(&v, 0xff);
	khv_intx_vec_get(&v, 0x10);
	KUNIT_EXPECT_TRUE(test, test_bit(0xff, v.map));
	KUNIT_EXPECT_TRUE(test, test_bit(0x10, v.map));
	KUNIT_EXPECT_EQ(test, intx_vec_count(&v), 2);
}

static void move_takes_the_new_vector_first(struct kunit *test)
{
	struct khv_intx_vectors v = {};

	/* Two functions on 0x60; one moves to 0x61, then back. */
	khv_intx_vec_get(&v, 0x60);
	khv_intx_vec_get(&v, 0x60);
	khv_intx_vec_move(&v, 0x60, 0x61);
	KUNIT_EXPECT_TRUE(test, test_bit(0x60, v.map));
	KUNIT_EXPECT_TRUE(test, test_bit(0x61, v.map));
	KUNIT_EXPECT_EQ(test, v.users[0x60], 1);
	KUNIT_EXPECT_EQ(test, v.users[0x61], 1);
	khv_intx_vec_move(&v, 0x61, 0x60);
	KUNIT_EXPECT_FALSE(test, test_bit(0x61, v.map));
	KUNIT_EXPECT_EQ(test, v.users[0x60], 2);
	/* To the vector it has: nothing changes, the bit never goes. */
	khv_intx_vec_move(&v, 0x60, 0x60);
	KUNIT_EXPECT_TRUE(test, test_bit(0x60, v.map));
	KUNIT_EXPECT_EQ(test, v.users[0x60], 2);
	KUNIT_EXPECT_EQ(test, intx_vec_count(&v), 1);
}

static void every_function_of_a_vm_on_one_vector(struct kunit *test)
{
	struct khv_intx_vectors v = {};
	unsigned int i;

	for (i = 0; i < KHV_MAX_ASSIGNED; i++)
		khv_intx_vec_get(&v, 0x70);
	KUNIT_EXPECT_EQ(test, v.users[0x70], KHV_MAX_ASSIGNED);
	for (i = 0; i < KHV_MAX_ASSIGNED; i++) {
		KUNIT_EXPECT_TRUE(test, test_bit(0x70, v.map));
		khv_intx_vec_put(&v, 0x70);
	}
	KUNIT_EXPECT_EQ(test, intx_vec_count(&v), 0);
}

static struct kunit_case khv_iommu_intx_cases[] = {
	KUNIT_CASE(vector_in_map_while_used),
	KUNIT_CASE(shared_vector_stays_until_its_last_user),
	KUNIT_CASE(move_takes_the_new_vector_first),
	KUNIT_CASE(every_function_of_a_vm_on_one_vector),
	{}
};

static struct kunit_suite khv_iommu_intx_suite = {
	.name = "khv_iommu_intx",
	.test_cases = khv_iommu_intx_cases,
};

kunit_test_suite(khv_iommu_intx_suite);
